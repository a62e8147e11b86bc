import type { RgbFrame } from '../../camera/frame.js';
import { CameraQrScanner } from './camera-qr-scanner.js';
import { EvdevQrScanner } from './evdev-qr-scanner.js';
import type { QrInput } from './qr-input-config.schema.js';
import type { QrSource } from './qr-source.js';
import { SerialQrScanner } from './serial-qr-scanner.js';

/** The lane camera as a camera QR input sees it. */
export interface LaneCameraFrames {
  id: string;
  latest(): RgbFrame | undefined;
}

/** The driver for one configured QR input; a camera input needs the lane's camera. */
export function createQrSource(
  input: QrInput,
  camera: LaneCameraFrames | undefined,
  armed: () => boolean,
  warn?: (message: string) => void,
): QrSource {
  switch (input.kind) {
    case 'serial':
      return new SerialQrScanner(input, warn);
    case 'evdev':
      return new EvdevQrScanner(input);
    case 'camera':
      if (!camera) throw new Error('a camera QR input needs the lane to have a camera');
      return new CameraQrScanner(camera.id, input, () => camera.latest(), armed);
  }
}
