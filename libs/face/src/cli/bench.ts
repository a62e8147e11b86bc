#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { FacePipeline, type PipelineStage } from '../pipeline/face-pipeline.js';

/**
 * npm run bench:face [-- --iterations 30 --backend onnx,tfjs-wasm --input-size 416]
 * Per-stage median / p95 ms and faces/s on one thread, for 640×480 and 1280×720 JPEG frames made
 * from real photos (two faces a frame), per backend. Pin to one core with `taskset -c 0` for the
 * per-core figures. Prints figures only; nothing here passes or fails.
 */
const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '30' },
    backend: { type: 'string', default: 'onnx,tfjs-wasm' },
    'input-size': { type: 'string', default: '' },
  },
});
const iterations = Number(values.iterations);
const faces = resolve(process.env.CG_SHARED_DIR ?? '../shared', 'faces');

async function frame(width: number, height: number): Promise<Buffer> {
  const faceSide = Math.round(height * 0.45);
  const a = await sharp(readFileSync(join(faces, 'fr_obama/2.jpg'))).resize(faceSide, faceSide, { fit: 'cover' }).toBuffer();
  const b = await sharp(readFileSync(join(faces, 'df03/4.jpg'))).resize(faceSide, faceSide, { fit: 'cover' }).toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#6d7580' } })
    .composite([
      { input: a, left: Math.round(width * 0.1), top: Math.round(height * 0.25) },
      { input: b, left: Math.round(width * 0.55), top: Math.round(height * 0.2) },
    ])
    .jpeg({ quality: 85 })
    .toBuffer();
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
};
const fmt = (v: number) => v.toFixed(1).padStart(7);

const stages: PipelineStage[] = ['decode', 'detect', 'landmarks', 'align', 'quality', 'liveness', 'embed'];
console.log(`face pipeline benchmark — ${iterations} iterations, 1 thread, node ${process.version}, ${process.arch}`);
for (const backend of values.backend.split(',') as ('onnx' | 'tfjs-wasm')[]) {
  const inputSize = values['input-size'] ? Number(values['input-size']) : undefined;
  const pipeline = await FacePipeline.create({ backend, threads: 1, detector: inputSize ? { inputSize } : undefined });
  for (const [w, h] of [
    [640, 480],
    [1280, 720],
  ]) {
    const jpeg = await frame(w, h);
    const times = new Map<PipelineStage | 'total', number[]>();
    const cpu = new Map<PipelineStage, number[]>();
    let faceCount = 0;
    for (let i = 0; i < iterations + 3; i++) {
      const t0 = performance.now();
      const found = await pipeline.analyze(jpeg, {
        onStage: (s, ms, cpuMs) => {
          if (i < 3) return;
          times.set(s, [...(times.get(s) ?? []), ms]);
          cpu.set(s, [...(cpu.get(s) ?? []), cpuMs]);
        },
      });
      if (i >= 3) times.set('total', [...(times.get('total') ?? []), performance.now() - t0]);
      faceCount = found.length;
    }
    console.log(`\n${pipeline.backendName}  ${w}×${h}  (${faceCount} faces a frame, detector input ${pipeline.detectorInputSize})`);
    console.log('stage        wall median    p95   CPU median    p95   (ms per frame)');
    for (const s of [...stages, 'total'] as const) {
      const xs = times.get(s);
      const cs = s === 'total' ? undefined : cpu.get(s);
      if (xs) console.log(`${s.padEnd(12)} ${fmt(pct(xs, 0.5))} ${fmt(pct(xs, 0.95))}   ${cs ? fmt(pct(cs, 0.5)) + ' ' + fmt(pct(cs, 0.95)) : ''}`);
    }
    const n = Math.max(1, faceCount);
    for (const [label, m] of [
      ['wall', times],
      ['CPU', cpu],
    ] as const) {
      const med = (s: PipelineStage) => pct(m.get(s) ?? [0], 0.5);
      const perFace = med('detect') / n + (med('landmarks') + med('align') + med('embed')) / n;
      const total = stages.reduce((sum, s) => sum + med(s), 0);
      console.log(
        `${label.padEnd(4)}  detect+landmarks+align+embed per face ${perFace.toFixed(1)} ms;  detection ${(1000 / med('detect')).toFixed(1)} fps;  all stages ${((1000 / total) * n).toFixed(1)} faces/s`,
      );
    }
  }
  await pipeline.dispose();
}
