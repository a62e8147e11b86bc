import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FacePipeline } from '../pipeline/face-pipeline.js';
import { readFace } from '../testing/shared-faces.js';

/**
 * The TF.js (wasm) backend runs the same models and agrees with onnxruntime. It runs the face-api
 * models (converted graphs); the ArcFace-style ONNX embedder needs onnxruntime, so both pipelines
 * here use the dlib embedder.
 */
let onnx: FacePipeline;
let tfjs: FacePipeline;
before(async () => {
  onnx = await FacePipeline.create({ backend: 'onnx', models: { embed: 'face-embedder' } });
  tfjs = await FacePipeline.create({ backend: 'tfjs-wasm', models: { embed: 'face-embedder' } });
});
after(async () => {
  await onnx.dispose();
  await tfjs.dispose();
});

describe('TfjsWasmBackend', () => {
  it('is the backend in use', () => {
    assert.equal(tfjs.backendName, 'tfjs-wasm');
    assert.equal(onnx.backendName, 'onnxruntime-node-cpu');
  });

  it('gives the same boxes, liveness and embeddings as onnxruntime', async () => {
    for (const photo of ['df01/2.jpg', 'fr_obama/2.jpg']) {
      const [a] = await onnx.analyze(readFace(photo));
      const [b] = await tfjs.analyze(readFace(photo));
      assert.ok(Math.abs(a.score - b.score) < 1e-3, photo);
      assert.ok(Math.abs(a.box.x - b.box.x) < 0.5 && Math.abs(a.box.width - b.box.width) < 0.5, photo);
      assert.ok(Math.abs(a.liveness! - b.liveness!) < 1e-3, photo);
      assert.ok(onnx.compare(a.embedding!, b.embedding!) > 0.9999, photo);
    }
  });

  it('keeps same-person and different-person decisions', async () => {
    const [x, y, z] = await Promise.all(['fr_obama/1.jpg', 'fr_obama/6.jpg', 'df03/3.jpg'].map((p) => tfjs.embed(readFace(p))));
    assert.equal(tfjs.decide(x!, y!).match, true);
    assert.equal(tfjs.decide(x!, z!).match, false);
  });
});
