#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { calibrate } from '../calibration/calibrate.js';
import { writeCalibration } from '../calibration/manifest-writer.js';
import { defaultManifestPath } from '../models/model-files.js';
import { FacePipeline } from '../pipeline/face-pipeline.js';

/**
 * npm run face:calibrate -- --set <dir> [--far 0.001] [--backend onnx|tfjs-wasm] [--write]
 * Scores every labelled pair of <dir> (pairs.csv, or all pairs of <identity>/<n>.jpg) and prints
 * TAR at FAR 1% and 0.1%, EER, failures to enrol and the chosen threshold; --write stores the
 * threshold and figures in models/manifest.json.
 */
const { values } = parseArgs({
  options: {
    set: { type: 'string' },
    far: { type: 'string', default: '0.001' },
    backend: { type: 'string', default: 'onnx' },
    manifest: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const set = resolve(values.set ?? `${process.env.CG_SHARED_DIR ?? '../shared'}/faces`);
const manifestPath = values.manifest ? resolve(values.manifest) : defaultManifestPath();
const backend = values.backend === 'tfjs-wasm' ? 'tfjs-wasm' : 'onnx';
const pipeline = await FacePipeline.create({ backend, manifestPath, liveness: false });
const report = await calibrate(pipeline, set, Number(values.far));
await pipeline.dispose();

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const line = (label: string, r: { threshold: number; tar: number; far: number }) =>
  `${label.padEnd(16)} threshold ${r.threshold.toFixed(4)}  TAR ${pct(r.tar)}  FAR ${pct(r.far)}`;
console.log(`face set         ${set}`);
console.log(`backend          ${pipeline.backendName}`);
console.log(`images           ${report.images} (failed to enrol: ${report.failedToEnrol.length}${report.failedToEnrol.length ? ' — ' + report.failedToEnrol.join(', ') : ''})`);
console.log(`pairs scored     ${report.genuine.length} genuine, ${report.impostor.length} impostor (${report.skippedPairs} skipped for FTE)`);
console.log(`EER              ${pct(report.eer)} at cosine ${report.eerThreshold.toFixed(4)}`);
console.log(line('TAR @ FAR 1%', report.atFar1));
console.log(line('TAR @ FAR 0.1%', report.atFar01));
console.log(`genuine min      ${Math.min(...report.genuine).toFixed(4)}   impostor max ${Math.max(...report.impostor).toFixed(4)}`);
console.log(line(`chosen (FAR ≤ ${pct(report.targetFar)})`, report.chosen));
if (report.impostor.length * report.targetFar < 1) {
  console.log(`note             ${report.impostor.length} impostor pairs cannot resolve FAR ${pct(report.targetFar)}; the point is "no false accept on this set"`);
}
if (values.write) {
  writeCalibration(manifestPath, report, set.endsWith('/faces') ? 'shared/faces' : set);
  console.log(`written          cosine threshold ${report.chosen.threshold.toFixed(6)} → ${manifestPath}`);
}
