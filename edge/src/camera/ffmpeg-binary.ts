import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

/** Which ffmpeg the edge runs and where it came from. */
export interface FfmpegBinary {
  path: string;
  origin: 'FFMPEG_PATH' | 'system' | 'bundled';
  /** e.g. "6.1.1", or the build tag a static build prints. */
  version: string;
  /** Major version; static builds that print no release number count as 4 (the bundled build). */
  major: number;
}

/** The one message for a missing ffmpeg: it names every way to provide one. */
export const FFMPEG_MISSING_HELP =
  "ffmpeg not found. Provide one of: Debian's ffmpeg (`apt-get install ffmpeg`, or `npm run setup:system`); " +
  'the bundled static build (`npm ci` installs @ffmpeg-installer/ffmpeg; it was not installed for this platform); ' +
  'or FFMPEG_PATH=/path/to/ffmpeg.';

export class FfmpegMissingError extends Error {
  override name = 'FfmpegMissingError';
}

const executable = (p: string): boolean => {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, 'ffmpeg');
    if (executable(p)) return p;
  }
  return undefined;
}

/** The static ffmpeg shipped inside an npm package (@ffmpeg-installer/<platform>), if installed. */
function bundled(): string | undefined {
  try {
    const req = createRequire(import.meta.url);
    const p = (req('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    // npm keeps the tarball's mode; where a platform package ships it without the execute bit, set it.
    if (!executable(p)) chmodSync(p, 0o755);
    return executable(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

function probe(path: string, origin: FfmpegBinary['origin']): FfmpegBinary {
  let out: string;
  try {
    out = execFileSync(path, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new FfmpegMissingError(
      `${origin === 'FFMPEG_PATH' ? 'FFMPEG_PATH' : 'ffmpeg'} ${path} does not run (${(e as Error).message.split('\n')[0]}). ${FFMPEG_MISSING_HELP}`,
    );
  }
  const version = /ffmpeg version (\S+)/.exec(out)?.[1] ?? 'unknown';
  const release = /^n?(\d+)\.(\d+)/.exec(version);
  // Snapshot builds ("N-47683-g…") print no release: the bundled one is from the 4.x line (2018).
  const major = release ? Number(release[1]) : 4;
  return { path, origin, version, major };
}

const cache = new Map<string, FfmpegBinary>();

/**
 * The ffmpeg to run: FFMPEG_PATH when set (and it must work), else the system's `ffmpeg` on PATH, else
 * the static build from npm. Resolved once per FFMPEG_PATH/PATH. Throws FfmpegMissingError naming all three ways.
 */
export function resolveFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegBinary {
  const key = `${env.FFMPEG_PATH ?? ''}\0${env.PATH ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let found: FfmpegBinary;
  if (env.FFMPEG_PATH) {
    if (!executable(env.FFMPEG_PATH))
      throw new FfmpegMissingError(`FFMPEG_PATH=${env.FFMPEG_PATH} is not an executable file. ${FFMPEG_MISSING_HELP}`);
    found = probe(env.FFMPEG_PATH, 'FFMPEG_PATH');
  } else {
    const system = onPath(env);
    const npm = system ? undefined : bundled();
    if (!system && !npm) throw new FfmpegMissingError(FFMPEG_MISSING_HELP);
    found = system ? probe(system, 'system') : probe(npm!, 'bundled');
  }
  cache.set(key, found);
  return found;
}

/**
 * RTSP input options for this ffmpeg: TCP interleaved transport (no UDP loss through NAT/firewalls)
 * and a socket timeout. Before ffmpeg 5 the RTSP socket timeout is `-stimeout` (`-timeout` there means
 * "listen for an incoming connection"); from 5 on it is `-timeout`.
 */
export function rtspInputArgs(timeoutMs: number, ffmpeg: Pick<FfmpegBinary, 'major'> | undefined): string[] {
  const timeoutFlag = ffmpeg && ffmpeg.major < 5 ? '-stimeout' : '-timeout';
  return ['-rtsp_transport', 'tcp', timeoutFlag, String(timeoutMs * 1000), '-flags', 'low_delay'];
}
