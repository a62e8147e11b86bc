// npm run bench:camera — prints decode fps, detection fps, tracker ms/frame and end-to-end fps for one
// 720p camera, and how many cameras at 5 fps this machine sustains. Figures, not assertions.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CameraAssignmentSchema } from '../edge/src/camera/camera-config.schema.js';
import { CameraPipeline } from '../edge/src/camera/camera-pipeline.js';
import { createFrameSource } from '../edge/src/camera/create-frame-source.js';
import type { RgbFrame } from '../edge/src/camera/frame.js';
import { ByteTracker } from '../edge/src/vision/byte-tracker.js';
import { MoveNetMultiPoseDetector } from '../edge/src/vision/movenet-multipose-detector.js';
import { personModelPath } from '../edge/src/vision/person-models.js';
import { TfjsWasmBackend } from '../libs/face/src/inference/tfjs-wasm-backend.js';
import { generateClip } from '../scripts/clips/clip-generator.js';
import { SEPARATE } from '../scripts/clips/counting-scenarios.js';

const W = 1280;
const H = 720;
const FPS = 15;
const line = [{ id: 'door', from: { x: 0.5, y: 0 }, to: { x: 0.5, y: 1 }, inside: { x: 0.9, y: 0.5 } }];

async function readAll(
  path: string,
  onFrame: (f: RgbFrame) => void | Promise<void>,
  fps = FPS,
): Promise<{ frames: number; seconds: number }> {
  const cam = CameraAssignmentSchema.parse({
    siteId: 's',
    zoneId: 'z',
    gateId: 'g',
    camera: { id: 'bench', kind: 'file', path, loop: false, realtime: false, width: W, height: H, fps, lines: line },
  }).camera;
  const src = createFrameSource(cam);
  let frames = 0;
  const t0 = performance.now();
  src.start(async (f) => {
    frames++;
    await onFrame(f);
  });
  await src.ended;
  return { frames, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-bench-camera-'));
  try {
    // A 720p clip: the counting scenario's people, scaled up, 12 s at 15 fps.
    const spec = {
      ...SEPARATE,
      personScale: 2,
      width: W,
      height: H,
      fps: FPS,
      seconds: 12,
      walks: SEPARATE.walks.map((w) => ({ ...w, floorY: w.floorY * 2, keys: w.keys.map(([t, x]) => [t, x * 2] as const) })),
    };
    const clip = await generateClip(dir, 'bench720', spec);
    console.log(`camera bench: ${W}x${H} H.264 clip, ${FPS} fps, ${spec.seconds} s; ${availableParallelism()} cores`);

    const decode = await readAll(clip.path, () => undefined);
    const decodeFps = decode.frames / decode.seconds;
    console.log(`decode (ffmpeg → RGB ${W}x${H}):      ${decodeFps.toFixed(1)} fps`);

    const detector = await MoveNetMultiPoseDetector.create(new TfjsWasmBackend(), { modelPath: personModelPath() });
    const frames: RgbFrame[] = [];
    await readAll(clip.path, (f) => void (frames.length < 30 && f.seq % 4 === 0 && frames.push({ ...f, data: f.data.slice() })));
    await detector.detect(frames[0]!); // warm-up
    const t0 = performance.now();
    for (const f of frames) await detector.detect(f);
    const detectMs = (performance.now() - t0) / frames.length;
    console.log(
      `detection (MoveNet MultiPose 256x160, tfjs-wasm, 1 thread): ${(1000 / detectMs).toFixed(1)} fps (${detectMs.toFixed(1)} ms/frame)`,
    );

    const tracker = new ByteTracker();
    const people = 10;
    const steps = 2000;
    const t1 = performance.now();
    for (let i = 0; i < steps; i++) {
      tracker.update(
        Array.from({ length: people }, (_, k) => {
          const x = (k * 120 + i * 7) % W;
          return { box: { x1: x, y1: 300 + k * 5, x2: x + 80, y2: 520 + k * 5 }, score: 0.3 + (k % 5) * 0.1 };
        }),
      );
    }
    const trackMs = (performance.now() - t1) / steps;
    console.log(`tracker (ByteTrack, ${people} people):         ${trackMs.toFixed(3)} ms/frame`);

    const e2e = async (detectEvery: number) => {
      const a = CameraAssignmentSchema.parse({
        siteId: 's',
        zoneId: 'z',
        gateId: 'g',
        camera: { id: 'bench', kind: 'file', path: clip.path, width: W, height: H, fps: FPS, detectEvery, lines: line },
      });
      let events = 0;
      const pipe = new CameraPipeline(a, detector, () => void events++);
      const r = await readAll(clip.path, (f) => pipe.process(f));
      return { fps: r.frames / r.seconds, events };
    };
    const every1 = await e2e(1);
    console.log(`end-to-end, detect every frame:        ${every1.fps.toFixed(1)} fps (${every1.events} crossings)`);
    const every3 = await e2e(3);
    console.log(`end-to-end, detect every 3rd frame:    ${every3.fps.toFixed(1)} fps (${every3.events} crossings)`);

    // Cameras at 5 fps: each needs 5 decodes and 5 detections a second (one worker thread each).
    const decodeMsPerFrame = 1000 / decodeFps;
    const perCameraLoad = (5 * (decodeMsPerFrame + detectMs + trackMs)) / 1000; // cores
    const cores = availableParallelism();
    console.log(`one camera at 5 fps (detect every frame) uses ${(perCameraLoad * 100).toFixed(0)}% of a core`);
    console.log(`cameras at 5 fps this machine sustains (${cores} cores, 85% budget): ${Math.floor((cores * 0.85) / perCameraLoad)}`);
    await detector.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
