#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateSet, rates, REVIEW_FAR, reviewLoadPer1000, useThresholds, type Scores } from '../calibration/evaluate.js';
import { readFaceSet, readGroups } from '../calibration/face-set.js';
import { writeUseThresholds } from '../calibration/manifest-writer.js';
import { defaultManifestPath, readManifest } from '../models/model-files.js';
import { useThreshold, type FaceUse } from '../compare/use-thresholds.js';
import { ratesAt } from '../calibration/roc.js';
import { FacePipeline } from '../pipeline/face-pipeline.js';

/**
 * npm run face:calibrate -- --set <dir> [--set <dir2>] [--groups groups.csv] [--embedder id]
 *                          [--backend onnx|tfjs-wasm] [--manifest path] [--write]
 * A site's own faces: <dir>/<identity>/<photo>.jpg (and loose one-photo people), with groups.csv
 * (identity,group) in the folder or given by --groups. Prints FTE with reasons, TAR/FAR/EER overall
 * and per group, and the per-use thresholds (1:1 card, 1:N alert, allowlist admit, each with its
 * REVIEW band); --write stores them in models/manifest.json for the embedder.
 */
const { values } = parseArgs({
  options: {
    set: { type: 'string', multiple: true },
    groups: { type: 'string' },
    embedder: { type: 'string' },
    backend: { type: 'string', default: 'onnx' },
    manifest: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
if (!values.set?.length) {
  console.error('usage: npm run face:calibrate -- --set <folder of <identity>/<photo>.jpg> [--groups groups.csv] [--write]');
  process.exit(2);
}
const manifestPath = values.manifest ? resolve(values.manifest) : defaultManifestPath();
const extraGroups = values.groups ? readGroups(resolve(values.groups, '..'), resolve(values.groups)) : new Map<string, string>();
const photos = values.set.flatMap((d) => {
  const dir = resolve(d);
  return readFaceSet(dir).map((p) => ({ ...p, path: resolve(dir, p.path), group: extraGroups.get(p.identity) ?? p.group }));
});
const pipeline = await FacePipeline.create({
  backend: values.backend === 'tfjs-wasm' ? 'tfjs-wasm' : 'onnx',
  manifestPath,
  liveness: false,
  models: values.embedder ? { embed: values.embedder } : undefined,
});
let done = 0;
const ev = await evaluateSet(pipeline, '/', photos, () => process.stderr.write(`\rembedding ${++done}/${photos.length}`));
process.stderr.write('\n');
await pipeline.dispose();

const pct = (v: number) => (Number.isNaN(v) ? '   —  ' : `${(v * 100).toFixed(2)}%`.padStart(7));
const row = (label: string, s: Scores) => {
  const r = rates(s);
  return `${label.padEnd(16)} ${String(r.genuine).padStart(6)} ${String(r.impostor).padStart(8)}  EER ${pct(r.eer)}  TAR@FAR1% ${pct(r.atFar1.tar)}  TAR@FAR0.1% ${pct(r.atFar01.tar)}  genuine min ${fmt(r.genuineMin)}  impostor max ${fmt(r.impostorMax)}`;
};
const fmt = (v: number) => (Number.isNaN(v) ? '  —   ' : v.toFixed(4));
console.log(`embedder         ${pipeline.embedderId} (${pipeline.backendName})`);
console.log(`photos           ${ev.photos} of ${new Set(photos.map((p) => p.identity)).size} people`);
console.log(`failed to enrol  ${ev.fte.length} (${pct(ev.fte.length / Math.max(1, ev.photos))})`);
for (const f of ev.fte) console.log(`  ${f.fte!.padEnd(11)} ${f.photo.path}  ${f.detail ?? ''}`);
if (ev.qualityRejected.length)
  console.log(
    `quality warnings ${ev.qualityRejected.length} photos enrolled here would be refused by the hub's quality gate: ${ev.qualityRejected.map((e) => `${e.photo.identity} (${e.quality.join('+')})`).join(', ')}`,
  );
console.log(`\n                  genuine impostor   pairs`);
console.log(row('overall', ev.overall));
for (const [g, s] of [...ev.byGroup].sort()) console.log(row(`group ${g}`, s));
const entry = readManifest(manifestPath).models[pipeline.embedderId];
if (entry?.thresholds.cosine !== undefined) {
  // How the thresholds in the manifest now behave on this set, before any --write.
  const fa = (s: number[], t: number) => s.filter((v) => v >= t).length;
  console.log(`\nat the manifest's thresholds   accept ≥  TAR      FAR      false accepts  per group (TAR/FAR, false accepts)`);
  for (const use of ['card', 'alert', 'admit'] as FaceUse[]) {
    const { accept } = useThreshold(entry, use);
    const r = ratesAt(ev.overall.genuine, ev.overall.impostor, accept);
    const groups = [...ev.byGroup]
      .sort()
      .map(([g, s]) => {
        const gr = ratesAt(s.genuine, s.impostor, accept);
        return `${g} ${pct(gr.tar).trim()}/${pct(gr.far).trim()} (${fa(s.impostor, accept)})`;
      })
      .join('  ');
    console.log(
      `${use.padEnd(30)} ${accept.toFixed(4)}    ${pct(r.tar)}  ${pct(r.far)}  ${String(fa(ev.overall.impostor, accept)).padStart(13)}  ${groups}`,
    );
  }
}
const uses = useThresholds(ev);
console.log(`\nuse      target FAR  accept ≥  REVIEW from  TAR      FAR      per group at accept (TAR/FAR)        set by`);
for (const t of Object.values(uses)) {
  const groups = Object.entries(t.byGroup)
    .map(([g, r]) => `${g} ${pct(r.tar).trim()}/${pct(r.far).trim()}`)
    .join('  ');
  console.log(
    `${t.use.padEnd(8)} ${pct(t.targetFar)}    ${t.accept.toFixed(4)}    ${t.review.toFixed(4)}      ${pct(t.overall.tar)}  ${pct(t.overall.far)}  ${groups.padEnd(36)} ${t.setBy}`,
  );
}
console.log(`\nuse      at the REVIEW floor: TAR      FAR      per group (TAR/FAR) — what reaches an operator or security`);
for (const t of Object.values(uses)) {
  const groups = Object.entries(t.atReviewByGroup)
    .map(([g, r]) => `${g} ${pct(r.tar).trim()}/${pct(r.far).trim()}`)
    .join('  ');
  console.log(`${t.use.padEnd(8)} ${t.review.toFixed(4)}              ${pct(t.atReview.tar)}  ${pct(t.atReview.far)}  ${groups}`);
}
// What the alert's possible-match band costs: false possible matches per 1 000 passers on no list.
{
  const t = uses.alert;
  const worst = Object.entries(t.atReviewByGroup)
    .filter(([g]) => (ev.byGroup.get(g)?.impostor.length ?? 0) * REVIEW_FAR >= 1)
    .sort((a, b) => b[1].far - a[1].far)[0];
  const sizes = [10, 100, 1000];
  console.log(
    `\nreview load      possible matches per 1 000 passers on no list, watchlist of ${sizes.join(' / ')} entries, at the alert floor ${t.review.toFixed(4)}:`,
  );
  console.log(
    `                 all impostors (pair FAR ${pct(t.atReview.far).trim()}): ${sizes.map((n) => reviewLoadPer1000(t.atReview.far, n).toFixed(1)).join(' / ')}`,
  );
  if (worst)
    console.log(
      `                 worst group ${worst[0]} (pair FAR ${pct(worst[1].far).trim()}, passers and entries of that group): ${sizes.map((n) => reviewLoadPer1000(worst[1].far, n).toFixed(1)).join(' / ')}`,
    );
}
const minImpostors = Math.min(
  ev.overall.impostor.length,
  ...[...ev.byGroup.values()].filter((s) => s.impostor.length).map((s) => s.impostor.length),
);
if (minImpostors * uses.alert.targetFar < 1) {
  console.log(
    `note             a group with ${minImpostors} impostor pairs cannot resolve FAR ${pct(uses.alert.targetFar).trim()}: the threshold is "no false accept on this set", not a proven rate — add people`,
  );
}
if (values.write) {
  writeUseThresholds(
    manifestPath,
    pipeline.embedderId,
    ev,
    uses,
    values.set.join(' + ') + (values.groups ? ` (--groups ${values.groups})` : ''),
  );
  console.log(`written          per-use thresholds of ${pipeline.embedderId} → ${manifestPath}`);
}
