import { CameraConfigSchema } from '../camera/camera-config.schema.js';
import { createFrameSource } from '../camera/create-frame-source.js';
import { FfmpegSource } from '../camera/ffmpeg-source.js';
import type { FrameSource } from '../camera/frame-source.js';
import type { LaneConfig } from './lane-config.schema.js';

/** Lane cameras have no counting line; edge/camera's schema wants one, so a placeholder is given. */
const NO_LINE = { id: 'lane', from: { x: 0, y: 0.5 }, to: { x: 1, y: 0.5 }, inside: { x: 0.5, y: 1 } };

/** The frame source of a lane's face camera; a still image file loops as a camera (tests, demos). */
export function laneFrameSource(camera: NonNullable<LaneConfig['camera']>): FrameSource {
  const cam = CameraConfigSchema.parse({ width: 640, height: 480, fps: 10, lines: [NO_LINE], ...camera });
  if (cam.kind === 'file' && /\.(jpe?g|png)$/i.test(cam.path)) {
    return new FfmpegSource({
      cameraId: cam.id,
      url: cam.path,
      inputArgs: ['-re', '-loop', '1'],
      width: cam.width,
      height: cam.height,
      fps: cam.fps,
      delivery: 'latest',
      restart: true,
      stallMs: cam.stallSeconds * 1000,
      connectTimeoutMs: cam.connectTimeoutSeconds * 1000,
      backoff: cam.reconnect,
    });
  }
  return createFrameSource(cam);
}
