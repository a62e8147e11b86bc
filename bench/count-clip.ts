// Counts the crossings of one video file with a camera kind's shipped settings: the same pipeline
// (CameraPipeline: detector → ByteTrack → counting line) a camera worker runs, fed from the file.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CameraAssignmentSchema } from '../edge/src/camera/camera-config.schema.js';
import { CameraPipeline } from '../edge/src/camera/camera-pipeline.js';
import { createFrameSource } from '../edge/src/camera/create-frame-source.js';
import { resolveFfmpeg } from '../edge/src/camera/ffmpeg-binary.js';
import { countingSettings } from '../edge/src/camera/counting-settings.js';
import { createPersonDetector } from '../edge/src/vision/create-person-detector.js';
import { COUNTING_PROFILES, type Mount } from '../edge/src/vision/counting-profiles.js';
import type { ClipLine, CountedCrossing } from './counting-truth.js';

/** CPU seconds of this process's finished children (ffmpeg), from /proc/self/stat (Linux). */
export function childCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5) (cutime, cstime), counted from the state field as 3.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/** Width × height of a video's first stream (from ffmpeg's own description of the input). */
export function probeVideoSize(path: string): { width: number; height: number } {
  const r = spawnSync(resolveFfmpeg().path, ['-hide_banner', '-i', path], { encoding: 'utf8' });
  const m = /Video:.*?(\d{2,5})x(\d{2,5})/.exec(r.stderr ?? '');
  if (!m) throw new Error(`cannot read the video size of ${path}: ${(r.stderr ?? '').trim().split('\n').pop()}`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

export interface CountClipResult {
  crossings: CountedCrossing[];
  entries: number;
  exits: number;
  frames: number;
  detectedFrames: number;
  tracksStarted: number;
  wallSeconds: number;
  /** CPU seconds of this process (detector, tracker; ffmpeg decodes in its own process). */
  cpuSeconds: number;
  /** CPU seconds of the ffmpeg that decoded the clip (NaN where /proc is missing). */
  decodeCpuSeconds: number;
  detectMsPerFrame: number;
  settings: Record<string, unknown>;
}

export interface CountClipOptions {
  /** Overrides of the mount's shipped settings (as a camera config would give them). */
  overrides?: Record<string, unknown>;
}

export async function countClip(path: string, line: ClipLine, mount: Mount, options: CountClipOptions = {}): Promise<CountClipResult> {
  const size = probeVideoSize(path);
  const decodeWidth = Number(options.overrides?.width ?? COUNTING_PROFILES[mount].decodeWidth);
  const camera = CameraAssignmentSchema.parse({
    siteId: 'bench',
    zoneId: 'bench',
    gateId: 'bench',
    camera: {
      id: 'bench',
      kind: 'file',
      path,
      loop: false,
      realtime: false,
      mount,
      width: decodeWidth,
      height: Math.round((decodeWidth * size.height) / size.width / 2) * 2,
      ...options.overrides,
      lines: [{ id: 'line', from: line.from, to: line.to, inside: line.inside }],
    },
  });
  const assignment = camera;
  const s = countingSettings(camera.camera);
  const detector = await createPersonDetector(s.detector);
  const crossings: CountedCrossing[] = [];
  const fps = camera.camera.fps;
  const pipeline = new CameraPipeline(
    assignment,
    detector,
    () => undefined,
    undefined,
    s.tracker,
    (c, f) => crossings.push({ at: f.seq / fps, direction: c.direction, trackId: c.trackId }),
  );
  // A first inference compiles the graph's kernels (≈ 1–2 s): not part of a camera's steady speed.
  if (s.detector.detector !== 'motion') {
    const { width, height } = camera.camera;
    await detector.detect({ width, height, data: new Uint8Array(width * height * 3), seq: 0, capturedAt: 0 });
  }
  const source = createFrameSource(assignment.camera);
  const cpu0 = process.cpuUsage();
  const child0 = childCpuSeconds();
  const t0 = performance.now();
  source.start((f) => pipeline.process(f));
  await source.ended;
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // ffmpeg has exited once the source ended; its time is counted when it was waited for.
  const decodeCpuSeconds = childCpuSeconds() - child0;
  await detector.dispose();
  return {
    crossings,
    entries: pipeline.stats.entries,
    exits: pipeline.stats.exits,
    frames: pipeline.stats.frames,
    detectedFrames: pipeline.stats.detectedFrames,
    tracksStarted: pipeline.stats.tracksStarted,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    decodeCpuSeconds,
    detectMsPerFrame: pipeline.stats.detectMs / Math.max(1, pipeline.stats.detectedFrames),
    settings: {
      mount,
      detector: camera.camera.detector,
      decode: `${camera.camera.width}x${camera.camera.height}@${fps}`,
      detectEvery: camera.camera.detectEvery,
      inputWidth: camera.camera.inputWidth,
      minScore: camera.camera.minScore,
      anchor: camera.camera.lines[0]!.anchor,
      band: camera.camera.lines[0]!.band,
    },
  };
}
