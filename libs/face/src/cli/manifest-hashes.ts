#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { manifestSchema } from '../models/manifest-schema.js';
import { readModelFiles, sha256Hex } from '../models/model-files.js';
import { convertFaceApi, convertTfjsGraph } from '../models/model-loader.js';
import { defaultManifestPath } from '../models/model-files.js';

/**
 * npm run face:manifest [-- --write]: checks every model file against models/manifest.json and
 * prints (or, with --write, records) the sha256 of each converted ONNX graph.
 */
const { values } = parseArgs({ options: { manifest: { type: 'string' }, write: { type: 'boolean', default: false } } });
const manifestPath = values.manifest ? resolve(values.manifest) : defaultManifestPath();
const manifest = manifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
for (const [id, entry] of Object.entries(manifest.models)) {
  const files = readModelFiles(entry, id, manifestPath);
  const withoutCheck = { ...entry, onnxSha256: undefined };
  let onnx: Uint8Array | undefined;
  if (entry.format === 'face-api-weights') onnx = convertFaceApi(withoutCheck, id, files);
  else if (entry.format === 'tfjs-graph' && entry.converter === 'tfjs-sequential') onnx = convertTfjsGraph(withoutCheck, id, files);
  const hash = onnx ? sha256Hex(onnx) : undefined;
  const status = !hash
    ? 'files ok'
    : hash === entry.onnxSha256
      ? 'files ok, ONNX graph ok'
      : `files ok, ONNX graph ${entry.onnxSha256 ? 'CHANGED' : 'not recorded'}`;
  console.log(`${id.padEnd(16)} ${status}${hash ? ` (${hash}, ${onnx!.length} bytes)` : ''}`);
  if (hash) entry.onnxSha256 = hash;
}
if (values.write) {
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`written ${manifestPath}`);
}
