import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { walkingClip } from '../../scripts/clips/shared-data.js';

const run = promisify(execFile);

/** A short H.264 MP4 without B-frames (what an RTSP camera sends) made from the real walking clip. */
export async function plainH264Clip(dir: string, seconds = 6): Promise<string> {
  const out = join(dir, 'walking-h264.mp4');
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-stream_loop',
    '-1',
    '-i',
    walkingClip,
    '-t',
    String(seconds),
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-bf',
    '0',
    '-g',
    '12',
    '-pix_fmt',
    'yuv420p',
    out,
  ]);
  return out;
}

/** Waits until `check` returns a value (polling), or fails with `what` after `ms`. */
export async function waitFor<T>(what: string, ms: number, check: () => T | undefined | false): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
