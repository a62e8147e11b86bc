import type { CameraHealth } from '../../../libs/contracts/src/index.js';
import type { RgbFrame } from './frame.js';

export type FrameHandler = (frame: RgbFrame) => void | Promise<void>;

/** Anything that yields decoded frames of one camera: RTSP, ONVIF (RTSP behind discovery) or file. */
export interface FrameSource {
  readonly cameraId: string;
  /** Starts reading; frames go to `onFrame` one at a time (never concurrently). */
  start(onFrame: FrameHandler): void;
  /** Stops reading and kills the decoder; resolves when it has exited. */
  stop(): Promise<void>;
  health(): CameraHealth;
  /** Resolves when a non-looping file has been read to its end (never for live sources). */
  readonly ended: Promise<void>;
}
