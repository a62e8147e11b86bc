#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fuseEmbeddings } from '../edge/src/gate/face-capture.js';
import { drawChallenge, LivenessChallenge } from '../edge/src/gate/liveness-challenge.js';
import { FacePipeline, type Point } from '../libs/face/src/index.js';

/**
 * npm run bench:face-video [-- --clip ../shared/video/short_hamilton_clip.mp4 --fps 10 --challenges 200]
 * Real video of faces through the lane's face path (fast search, one thread):
 * 1. Several frames vs one: faces are tracked across frames; each track of 13+ frames has its first
 *    frame as the reference, and windows of 5 frames from the 10th frame on are probes — the best
 *    single frame (the lane's rank) against the fusion of the best 3 (`fuseEmbeddings`). Other
 *    tracks' windows against that reference are impostors. Prints genuine / impostor scores and
 *    counts at the card accept threshold and REVIEW floor.
 * 2. The active liveness challenge against this footage played as a replay: for each track, random
 *    challenges fed with the track's landmarks at their real frame times. A video that does not
 *    follow the prompts must fail; prints how many passed and the failure reasons (and so how often
 *    "frozen" or "looped" fire on footage of live people).
 * Prints figures only.
 */
const { values } = parseArgs({
  options: {
    clip: { type: 'string', default: '../shared/video/short_hamilton_clip.mp4' },
    fps: { type: 'string', default: '10' },
    challenges: { type: 'string', default: '200' },
  },
});
const clip = resolve(values.clip);
const fps = Number(values.fps);
const ffmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const dir = mkdtempSync(join(tmpdir(), 'face-video-'));
const r = spawnSync(ffmpeg, ['-loglevel', 'error', '-i', clip, '-vf', `fps=${fps}`, join(dir, 'f_%04d.png')]);
if (r.status !== 0) throw new Error(`ffmpeg could not decode ${clip}: ${r.stderr.toString()}`);
const files = readdirSync(dir).sort();
const p = await FacePipeline.create({ threads: 1 });
type Row = { i: number; x: number; w: number; q: boolean; live: number; e: Float32Array; l: Point[] };
const rows: Row[] = [];
for (const [i, f] of files.entries()) {
  for (const fc of await p.analyze(readFileSync(join(dir, f)), { search: 'fast' }))
    if (fc.box.width > 25 && fc.embedding)
      rows.push({
        i,
        x: fc.box.x + fc.box.width / 2,
        w: fc.box.width,
        q: fc.quality.ok,
        live: fc.liveness ?? 1,
        e: fc.embedding,
        l: fc.landmarks68,
      });
}
rmSync(dir, { recursive: true, force: true });
// Tracks: a face continues a track when its centre is within 40 px of the track's last face 1–2 frames before.
const tracks: Row[][] = [];
for (const row of rows) {
  const t = tracks.find(
    (t) => row.i - t[t.length - 1]!.i >= 1 && row.i - t[t.length - 1]!.i <= 2 && Math.abs(t[t.length - 1]!.x - row.x) < 40,
  );
  if (t) t.push(row);
  else tracks.push([row]);
}
console.log(
  `face video benchmark — ${clip}, ${files.length} frames at ${fps} fps, ${rows.length} faces, ${tracks.filter((t) => t.length >= 3).length} tracks of 3+ frames`,
);

// ---- 1. fusion ----
const rank = (r: Row) => (r.q ? 2 : 0) + r.live + Math.min(1, r.w / 200);
const t = p.thresholdsFor('card');
const windows = (tr: Row[], from: number) => {
  const w: Row[][] = [];
  for (let s = from; s + 3 <= tr.length; s += 5) w.push(tr.slice(s, s + 5).sort((a, b) => rank(b) - rank(a)));
  return w;
};
const fused = (w: Row[]) =>
  fuseEmbeddings(
    w.slice(0, 3).map((r) => r.e),
    t.review,
  ).embedding;
const G1: number[] = [],
  G3: number[] = [],
  I1: number[] = [],
  I3: number[] = [];
const long = tracks.filter((tr) => tr.length >= 13);
for (const tr of long) {
  const ref = tr[0]!.e;
  for (const w of windows(tr, 10)) [G1, G3].forEach((xs, k) => xs.push(p.compare(k ? fused(w) : w[0]!.e, ref)));
  for (const o of tracks.filter((o) => o !== tr && o.length >= 3))
    for (const w of windows(o, 0)) [I1, I3].forEach((xs, k) => xs.push(p.compare(k ? fused(w) : w[0]!.e, ref)));
}
const st = (xs: number[]) =>
  xs.length
    ? `n ${xs.length}, mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3)}, min ${Math.min(...xs).toFixed(3)}, max ${Math.max(...xs).toFixed(3)}`
    : 'none';
const at = (xs: number[], th: number) => xs.filter((v) => v >= th).length;
console.log(`\n1. several frames vs one (${long.length} tracks of 13+ frames; reference = the track's first frame)`);
console.log(
  `genuine   best single frame: ${st(G1)}; ≥ accept ${t.accept.toFixed(3)}: ${at(G1, t.accept)}, ≥ REVIEW ${t.review.toFixed(3)}: ${at(G1, t.review)}`,
);
console.log(`genuine   fused best 3:      ${st(G3)}; ≥ accept: ${at(G3, t.accept)}, ≥ REVIEW: ${at(G3, t.review)}`);
console.log(`impostor  best single frame: ${st(I1)}; ≥ REVIEW: ${at(I1, t.review)}`);
console.log(`impostor  fused best 3:      ${st(I3)}; ≥ REVIEW: ${at(I3, t.review)}`);

// ---- 2. the challenge against this footage as a replay ----
const n = Number(values.challenges);
const reasons = new Map<string, number>();
let passed = 0,
  runs = 0;
for (const tr of tracks.filter((tr) => tr.length >= 10)) {
  for (let k = 0; k < n; k++) {
    const c = new LivenessChallenge(drawChallenge());
    for (const row of tr) if (c.push(row.l, (row.i * 1000) / fps).status !== 'running') break;
    const s = c.state.status === 'running' ? c.tick(Number.POSITIVE_INFINITY) : c.state;
    runs++;
    if (s.status === 'passed') passed++;
    else reasons.set(`${s.failedStep}:${s.failure}`, (reasons.get(`${s.failedStep}:${s.failure}`) ?? 0) + 1);
  }
}
console.log(
  `\n2. active challenge vs this footage replayed (${runs} random challenges over ${tracks.filter((tr) => tr.length >= 10).length} tracks of 10+ frames)`,
);
console.log(
  `passed ${passed} of ${runs} (${((100 * passed) / Math.max(1, runs)).toFixed(1)} %); failures by step:reason: ${[...reasons]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
await p.dispose();
