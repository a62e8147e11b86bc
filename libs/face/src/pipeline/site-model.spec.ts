import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FaceAligner } from '../align/face-aligner.js';
import { decodeImage } from '../decode/decode-image.js';
import type { ModelManifest } from '../models/manifest-schema.js';
import { defaultManifestPath, readManifest, sha256Hex, sourceRoot } from '../models/model-files.js';
import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder.js';
import { readFace } from '../testing/shared-faces.js';
import { FacePipeline } from './face-pipeline.js';

/**
 * A site-supplied ArcFace-family ONNX model through the manifest: a folder source, `format: onnx`,
 * fixed batch 1, 112×112 five-point alignment, (x − 127.5)/128. The model the test builds average-
 * pools the chip to 8×8 per channel (192 values), so its output can be recomputed from the chip
 * the pipeline must have fed it — which checks the alignment and normalisation, not just loading.
 */
function poolingModel(): Uint8Array {
  const b = new OnnxGraphBuilder('site-arcface');
  const x = b.input('data', [1, 3, 112, 112]);
  const pooled = b.node('AveragePool', [x], { kernel_shape: { ints: [14, 14] }, strides: { ints: [14, 14] } });
  b.node('Flatten', [pooled], { axis: { i: 1 } }, 'fc1');
  b.output('fc1', [1, 192]);
  return b.encode();
}

let dir: string;
let manifestPath: string;
let pipeline: FacePipeline;
const model = poolingModel();

function siteManifest(modelBytes: Uint8Array, fileSha = sha256Hex(modelBytes)): string {
  const base = readManifest(defaultManifestPath());
  const m: ModelManifest = { schema: 1, use: { embed: 'site-arcface' }, models: {} };
  for (const [id, e] of Object.entries(base.models)) {
    // Package-sourced models by absolute folder, so the manifest may live outside the repository.
    m.models[id] = { ...e, source: { directory: sourceRoot(e, id, defaultManifestPath()) } };
  }
  writeFileSync(join(dir, 'site-arcface.onnx'), modelBytes);
  m.models['site-arcface'] = {
    task: 'embed',
    source: { directory: dir },
    files: [{ path: 'site-arcface.onnx', sha256: fileSha }],
    format: 'onnx',
    input: {
      shape: [1, 3, 112, 112],
      layout: 'NCHW',
      colour: 'RGB',
      mean: [127.5, 127.5, 127.5],
      std: [128, 128, 128],
      crop: 'ArcFace 112 five-point',
      alignment: 'arcface-5',
    },
    output: '[1,192]',
    licence: 'site-owned (test)',
    origin: 'built by site-model.spec',
    thresholds: { cosine: 0.9, cardReview: 0.85, alert: 0.95, alertReview: 0.9, admit: 0.93 },
  };
  const path = join(dir, 'manifest.json');
  writeFileSync(path, JSON.stringify(m, null, 2));
  return path;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cg-site-model-'));
  manifestPath = siteManifest(model);
  pipeline = await FacePipeline.create({ manifestPath, liveness: false });
});
after(async () => {
  await pipeline.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('a site-supplied ArcFace-family ONNX model', () => {
  it('is chosen by the manifest and fed the five-point 112×112 chip normalised as (x − 127.5)/128', async () => {
    assert.equal(pipeline.embedderId, 'site-arcface');
    const photo = readFace('fr_obama/2.jpg');
    const [face] = await pipeline.analyze(photo, { liveness: false });
    assert.equal(face.embedding!.length, 192);
    const chip = new FaceAligner(112, 'arcface-5').chip(await decodeImage(photo), face.embedAlignment!);
    const expected = new Float32Array(192);
    for (let c = 0; c < 3; c++)
      for (let by = 0; by < 8; by++)
        for (let bx = 0; bx < 8; bx++) {
          let sum = 0;
          for (let y = 0; y < 14; y++)
            for (let x = 0; x < 14; x++) sum += (chip.data[((by * 14 + y) * 112 + bx * 14 + x) * 3 + c] - 127.5) / 128;
          expected[c * 64 + by * 8 + bx] = sum / 196;
        }
    const norm = Math.hypot(...expected);
    expected.forEach((v, i) =>
      assert.ok(Math.abs(v / norm - face.embedding![i]) < 1e-4, `component ${i}: ${v / norm} vs ${face.embedding![i]}`),
    );
    // The eyes land on the ArcFace reference points of the chip.
    const [le, re] = face.landmarks.map((p) => ({
      x: face.embedAlignment!.a * p.x + face.embedAlignment!.b * p.y + face.embedAlignment!.c,
      y: face.embedAlignment!.d * p.x + face.embedAlignment!.e * p.y + face.embedAlignment!.f,
    }));
    assert.ok(Math.abs(le.x - 38.3) < 6 && Math.abs(re.x - 73.5) < 6 && Math.abs(le.y - 51.6) < 6, JSON.stringify({ le, re }));
  });

  it('takes its per-use thresholds and REVIEW bands from its manifest entry', () => {
    assert.deepEqual(pipeline.thresholdsFor('card'), { accept: 0.9, review: 0.85 });
    assert.deepEqual(pipeline.thresholdsFor('alert'), { accept: 0.95, review: 0.9 });
    assert.deepEqual(pipeline.thresholdsFor('admit'), { accept: 0.93, review: 0.93 });
  });

  it('runs a fixed-batch-1 model on several chips (enrolment batches) with the same results', async () => {
    const inputs = [readFace('df01/1.jpg'), readFace('fr_obama/1.jpg'), readFace('df13/3.jpg')];
    const batch = await pipeline.embedMany(inputs, 3);
    for (let i = 0; i < inputs.length; i++) assert.ok(pipeline.compare(batch[i]!, (await pipeline.embed(inputs[i]))!) > 0.99999);
  });

  it('refuses a model file that is not the one the manifest pins', async () => {
    const tampered = Uint8Array.from(model);
    const path = siteManifest(tampered, sha256Hex(poolingModel().subarray(1)));
    await assert.rejects(FacePipeline.create({ manifestPath: path, liveness: false }), {
      name: 'ModelFileError',
      code: 'hash-mismatch',
    } as object);
    assert.equal(readFileSync(join(dir, 'site-arcface.onnx')).length, model.length);
  });
});
