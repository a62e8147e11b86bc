import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { CameraConfigSchema } from '../camera/camera-config.schema.js';
import type { RgbFrame } from '../camera/frame.js';
import type { TfjsGraphArtifacts } from '../../../libs/face/src/inference/inference-backend.js';
import { adaptCenterNetGraph, decodeCenterNet } from './centernet-detector.js';
import { CountingLine, RECOUNT_BANDS } from './counting-line.js';
import { inputHeightFor } from './counting-profiles.js';
import { MotionDetector, splitByArea } from './motion-detector.js';
import { personModelPath } from './person-models.js';

const line = { id: 'l', from: { x: 0.5, y: 0 }, to: { x: 0.5, y: 1 }, inside: { x: 0.2, y: 0.5 } };

describe('camera mounts', () => {
  it('fill in each mount’s shipped settings and keep what the config sets', () => {
    const side = CameraConfigSchema.parse({ id: 'c', kind: 'file', path: 'x.mp4', lines: [line] });
    assert.equal(side.mount, 'side');
    assert.equal(side.detector, 'movenet');
    assert.deepEqual(
      [side.width, side.height, side.detectEvery, side.lines[0]!.band, side.lines[0]!.anchor],
      [640, 360, 1, 0.04, 'bottom'],
    );
    const oblique = CameraConfigSchema.parse({ id: 'c', kind: 'file', path: 'x.mp4', mount: 'oblique', lines: [line] });
    assert.deepEqual(
      [oblique.detector, oblique.inputWidth, oblique.detectEvery, oblique.lines[0]!.anchor],
      ['centernet', 768, 2, 'bottom'],
    );
    const overhead = CameraConfigSchema.parse({
      id: 'c',
      kind: 'file',
      path: 'x.mp4',
      mount: 'overhead',
      detectEvery: 3,
      lines: [{ ...line, band: 0.1 }],
    });
    assert.deepEqual(
      [overhead.detector, overhead.detectEvery, overhead.lines[0]!.anchor, overhead.lines[0]!.band],
      ['motion', 3, 'center', 0.1],
    );
    // A parsed config parses again to itself (workers re-validate what they are given).
    assert.deepEqual(CameraConfigSchema.parse(overhead), overhead);
    assert.throws(() => CameraConfigSchema.parse({ id: 'c', kind: 'file', path: 'x.mp4', mount: 'ceiling', lines: [line] }), /mount/);
  });

  it('size detector inputs to the frame’s shape in multiples of 32', () => {
    assert.equal(inputHeightFor(768, 1280, 720), 448);
    assert.equal(inputHeightFor(640, 1280, 800), 416);
    assert.equal(inputHeightFor(256, 640, 480), 192);
  });
});

describe('CenterNet decoding', () => {
  const o = { sx: 2, sy: 2, stride: 4, frameW: 1280, frameH: 720, minScore: 0.25, nmsIou: 0.6 };

  it('turns every heat-map peak into a box, with no cap on how many', () => {
    const gw = 100;
    const gh = 60;
    const heat = new Float32Array(gw * gh);
    const wh = new Float32Array(gw * gh * 4);
    let n = 0;
    for (let y = 2; y < gh - 2; y += 4) {
      for (let x = 2; x < gw - 2; x += 4) {
        heat[y * gw + x] = 0.3 + (n % 7) * 0.05;
        wh.set([3, 8, 3, 8], (y * gw + x) * 4);
        n++;
      }
    }
    const people = decodeCenterNet(heat, wh, gw, gh, o);
    assert.ok(n > 300);
    assert.equal(people.length, n, 'every peak is a person: more than MoveNet’s 6 or the graph’s own top 100');
  });

  it('places boxes from the cell and its four side distances, one box per flat top', () => {
    const gw = 20;
    const gh = 10;
    const heat = new Float32Array(gw * gh);
    const wh = new Float32Array(gw * gh * 4);
    heat[5 * gw + 10] = 0.8;
    heat[5 * gw + 11] = 0.8; // a plateau of two cells: one person
    heat[2 * gw + 3] = 0.2; // under minScore
    wh.set([4, 10, 6, 12], (5 * gw + 10) * 4);
    const people = decodeCenterNet(heat, wh, gw, gh, o);
    assert.equal(people.length, 1);
    assert.deepEqual(people[0]!.box, { x1: (40 - 4) * 2, y1: (20 - 10) * 2, x2: (40 + 6) * 2, y2: (20 + 12) * 2 });
  });

  it('rewrites the shipped graph for another input size, and refuses another graph', () => {
    const dir = dirname(personModelPath('person-centernet'));
    const load = (name: string): TfjsGraphArtifacts => {
      const json = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
      const bin = Buffer.concat(json.weightsManifest[0].paths.map((p: string) => readFileSync(join(dir, p))));
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
        weightData: new Uint8Array(bin).buffer,
      };
    };
    const g = adaptCenterNetGraph(load('centernet'), 768, 448);
    const input = g.modelTopology.node.find((n) => n.op === 'Placeholder')!;
    assert.deepEqual(
      input.attr!.shape.shape.dim.map((d: { size: string }) => Number(d.size)),
      [1, 448, 768, 3],
    );
    // The three upsampling sizes now read H/16×W/16, H/8×W/8, H/4×W/4.
    const view = new DataView(g.weightData);
    let offset = 0;
    const sizes: number[][] = [];
    const bytes: Record<string, number> = { float16: 2, float32: 4, int32: 4, uint8: 1 };
    for (const s of g.weightSpecs) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      if (s.name.includes('up_sampling2d')) sizes.push([view.getInt32(offset, true), view.getInt32(offset + 4, true)]);
      offset += n * bytes[s.quantization?.dtype ?? s.dtype]!;
    }
    assert.equal(offset, g.weightData.byteLength);
    assert.deepEqual(sizes, [
      [28, 48],
      [56, 96],
      [112, 192],
    ]);
    assert.ok(g.modelTopology.node.some((n) => n.name === 'person_heatmap' && n.op === 'Slice'));
    assert.throws(() => adaptCenterNetGraph(load('blazeface'), 768, 448), /CenterNet graph/);
  });
});

/** A grey floor with sensor noise, an optional dark square, and a brightness offset (exposure). */
function scene(w: number, h: number, seed: number, square?: { x: number; y: number; size: number }, exposure = 0): RgbFrame {
  const data = new Uint8Array(w * h * 3);
  let s = seed;
  for (let i = 0; i < w * h; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const x = i % w;
    const y = (i - x) / w;
    const tile = ((x >> 5) + (y >> 5)) % 2 ? 150 : 170;
    let v = tile + exposure + ((s >> 8) % 7) - 3;
    if (square && x >= square.x && x < square.x + square.size && y >= square.y && y < square.y + square.size) v = 60;
    data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = Math.max(0, Math.min(255, v));
  }
  return { width: w, height: h, data, seq: seed, capturedAt: seed };
}

describe('overhead motion detector', () => {
  it('finds a person-sized moving blob where it is, and nothing in an empty scene that changes exposure', () => {
    const d = new MotionDetector();
    const w = 320;
    const h = 200;
    for (let i = 0; i < 15; i++) assert.deepEqual(d.detectSync(scene(w, h, i)), [], 'empty scene');
    // The camera's exposure jumps by 30 grey levels: still nothing.
    for (let i = 15; i < 20; i++) assert.deepEqual(d.detectSync(scene(w, h, i, undefined, 30)), []);
    const seen: number[] = [];
    for (let i = 20; i < 40; i++) {
      const x = 20 + (i - 20) * 12;
      const found = d.detectSync(scene(w, h, i, { x, y: 70, size: 50 }, 30));
      assert.equal(found.length, 1, `frame ${i}: one blob, got ${found.length}`);
      const b = found[0]!.box;
      assert.ok(Math.abs((b.x1 + b.x2) / 2 - (x + 25)) < 8, `blob centre ${(b.x1 + b.x2) / 2} vs ${x + 25}`);
      seen.push((b.x1 + b.x2) / 2);
    }
    assert.ok(
      seen.every((x, i) => i === 0 || x > seen[i - 1]!),
      'the blob moves with the person',
    );
  });

  it('splits a blob several people large when the person size is known', () => {
    const w = 100;
    const pixels: number[] = [];
    for (let y = 10; y < 30; y++) for (let x = 10; x < 70; x++) pixels.push(y * w + x);
    const parts = splitByArea(pixels, w, 400);
    assert.equal(parts.length, 3);
    for (const p of parts) assert.ok(Math.abs(p.length - 400) < 60, `${p.length} pixels`);
  });
});

describe('counting line', () => {
  const spec = { id: 'l', from: { x: 100, y: 0 }, to: { x: 100, y: 200 }, inside: { x: 0, y: 100 }, band: 5, anchor: 'center' as const };
  const at = (x: number) => ({ x1: x - 10, y1: 90, x2: x + 10, y2: 110 });

  it('counts a crossing once, not the jitter of a box near the line after it', () => {
    const l = new CountingLine(spec);
    const dirs = [130, 110, 95, 80, 107, 92, 110, 94].map((x) => l.observe(1, at(x))).filter(Boolean);
    assert.deepEqual(dirs, ['entry'], `jitter within ${RECOUNT_BANDS} bands of the line counts nothing more`);
    assert.equal(l.observe(1, at(100 + RECOUNT_BANDS * 5 + 1)), 'exit', 'walking back out is an exit');
  });

  it('never counts a track that turns back inside the band or starts past the line', () => {
    const l = new CountingLine(spec);
    assert.deepEqual([130, 104, 98, 103, 130].map((x) => l.observe(2, at(x))).filter(Boolean), []);
    assert.deepEqual([60, 70, 80].map((x) => l.observe(3, at(x))).filter(Boolean), []);
  });
});

describe('CenterNet on onnxruntime', () => {
  it('gives the same heat map, sizes and people as the TF.js graph it was converted from', async () => {
    const { OnnxBackend } = await import('../../../libs/face/src/inference/onnx-backend.js');
    const { TfjsWasmBackend } = await import('../../../libs/face/src/inference/tfjs-wasm-backend.js');
    const { CenterNetDetector } = await import('./centernet-detector.js');
    const modelPath = personModelPath('person-centernet');
    // A frame with structure at every scale (the graph's convolutions, pooling and upsampling all matter).
    const w = 416;
    const h = 240;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const x = i % w;
      const y = (i - x) / w;
      const v = 128 + 60 * Math.sin(x / 7) * Math.cos(y / 11) + ((x * 31 + y * 17) % 40);
      data.set([v, (v * 0.9) % 256, (v * 1.1) % 256], i * 3);
    }
    const frame: RgbFrame = { width: w, height: h, data, seq: 0, capturedAt: 0 };
    const opts = { modelPath, inputWidth: 416, inputHeight: 256, minScore: 0.01 };
    const ort = await CenterNetDetector.create(new OnnxBackend(), opts);
    const tfjs = await CenterNetDetector.create(new TfjsWasmBackend(), opts);
    const a = await ort.detect(frame);
    const b = await tfjs.detect(frame);
    await ort.dispose();
    await tfjs.dispose();
    assert.ok(b.length > 0, 'peaks above 0.01 exist');
    assert.equal(a.length, b.length);
    a.forEach((p, i) => {
      assert.ok(Math.abs(p.score - b[i]!.score) < 1e-3, `score ${p.score} vs ${b[i]!.score}`);
      for (const k of ['x1', 'y1', 'x2', 'y2'] as const)
        assert.ok(Math.abs(p.box[k] - b[i]!.box[k]) < 0.5, `${k} ${p.box[k]} vs ${b[i]!.box[k]}`);
    });
  });
});

describe('oblique tracking in a crowd', () => {
  it('keeps two small people apart when they pass each other in opposite directions between two detections', async () => {
    const { ByteTracker } = await import('./byte-tracker.js');
    const { CrossingCounter } = await import('./crossing-counter.js');
    const { COUNTING_PROFILES } = await import('./counting-profiles.js');
    const tracker = new ByteTracker(COUNTING_PROFILES.oblique.tracker);
    // A horizontal line at y = 360 (720p); inside is below it. Each walker is 24×70 px (far away).
    const counter = new CrossingCounter([
      { id: 'l', from: { x: 0, y: 360 }, to: { x: 1280, y: 360 }, inside: { x: 640, y: 700 }, band: 0.02 * 720, anchor: 'bottom' },
    ]);
    const walker = (x: number, feet: number, score = 0.5) => ({ box: { x1: x - 12, y1: feet - 70, x2: x + 12, y2: feet }, score });
    const ids = new Map<string, Set<number>>([
      ['down', new Set()],
      ['up', new Set()],
    ]);
    const counted: string[] = [];
    // Detections 5 times a second (every 2nd frame at 10 fps); 1.4 m/s ≈ 30 px per detection here.
    for (let i = 0; i <= 20; i++) {
      const down = walker(640 + i, 60 + i * 30); // walks toward the camera, crossing at i ≈ 10
      const up = walker(652 - i, 660 - i * 30, i === 10 ? 0.2 : 0.5); // the other way, half hidden at the pass
      const tracks = tracker.update([down, up]);
      for (const t of tracks) {
        // The detection the tracker matched to this track this time says who it is.
        ids.get(t.detection === down ? 'down' : 'up')!.add(t.id);
      }
      counted.push(...counter.observe(tracks, tracker).map((c) => c.direction));
    }
    assert.equal(ids.get('down')!.size, 1, `one id for the walker toward the camera, got ${[...ids.get('down')!]}`);
    assert.equal(ids.get('up')!.size, 1, `one id for the walker away, got ${[...ids.get('up')!]}`);
    assert.notDeepEqual([...ids.get('down')!], [...ids.get('up')!]);
    assert.deepEqual(counted.sort(), ['entry', 'exit']);
  });
});
