import type { CameraHealth } from '../../../libs/contracts/src/index.js';
import type { CameraConfig } from './camera-config.schema.js';
import { FfmpegMissingError, resolveFfmpeg, rtspInputArgs, type FfmpegBinary } from './ffmpeg-binary.js';
import { FfmpegSource } from './ffmpeg-source.js';
import type { FrameSource } from './frame-source.js';
import { resolveOnvifStream } from './onvif-client.js';
import { withCredentials } from './rtsp-url.js';

/** RTSP input options for the ffmpeg that will run (a missing ffmpeg fails in the source, with its message). */
function rtspInput(timeoutMs: number): string[] {
  let ffmpeg: FfmpegBinary | undefined;
  try {
    ffmpeg = resolveFfmpeg();
  } catch (e) {
    if (!(e instanceof FfmpegMissingError)) throw e;
  }
  return rtspInputArgs(timeoutMs, ffmpeg);
}

/** Builds the frame source a camera's config describes. */
export function createFrameSource(cam: CameraConfig, onState?: (h: CameraHealth) => void): FrameSource {
  const common = {
    cameraId: cam.id,
    width: cam.width,
    height: cam.height,
    fps: cam.fps,
    stallMs: cam.stallSeconds * 1000,
    connectTimeoutMs: cam.connectTimeoutSeconds * 1000,
    backoff: cam.reconnect,
    ...(onState ? { onState } : {}),
  };
  switch (cam.kind) {
    case 'rtsp':
      return new FfmpegSource({
        ...common,
        url: withCredentials(cam.url, cam.username, cam.password),
        inputArgs: rtspInput(common.connectTimeoutMs),
        delivery: 'latest',
        restart: true,
      });
    case 'onvif':
      return new FfmpegSource({
        ...common,
        // Re-resolved before every reconnect: a camera may hand out a new URI after a reboot.
        url: async () =>
          (
            await resolveOnvifStream({
              host: cam.host,
              port: cam.port,
              ...(cam.username !== undefined ? { username: cam.username } : {}),
              ...(cam.password !== undefined ? { password: cam.password } : {}),
              ...(cam.profile !== undefined ? { profile: cam.profile } : {}),
              timeoutMs: common.connectTimeoutMs,
            })
          ).streamUri,
        inputArgs: rtspInput(common.connectTimeoutMs),
        delivery: 'latest',
        restart: true,
      });
    case 'file':
      return new FfmpegSource({
        ...common,
        url: cam.path,
        inputArgs: [...(cam.realtime ? ['-re'] : []), ...(cam.loop ? ['-stream_loop', '-1'] : [])],
        delivery: cam.realtime ? 'latest' : 'every',
        restart: cam.loop,
      });
  }
}
