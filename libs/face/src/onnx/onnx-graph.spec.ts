import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnnxBackend } from '../inference/onnx-backend.js';
import { OnnxGraphBuilder } from './onnx-graph-builder.js';
import { readOnnxModel } from './onnx-model-reader.js';

/** The hand-written ONNX encoder produces graphs onnxruntime accepts, and the reader reads them back. */
function tinyConvNet(): Uint8Array {
  const b = new OnnxGraphBuilder('tiny');
  const x = b.input('input', ['N', 1, 3, 3]);
  const w = b.floatConstant('w', [1, 1, 2, 2], Float32Array.from([1, 2, 3, 4]));
  const bias = b.floatConstant('b', [1], Float32Array.from([0.5]));
  const conv = b.node('Conv', [x, w, bias], { kernel_shape: { ints: [2, 2] }, strides: { ints: [1, 1] }, group: { i: 1 } });
  const leaky = b.node('LeakyRelu', [conv], { alpha: { f: 0.1 } });
  b.node('Flatten', [leaky], { axis: { i: 1 } }, 'out');
  b.output('out', ['N', 4]);
  return b.encode();
}

describe('ONNX graph builder', () => {
  it('runs on onnxruntime with the expected arithmetic', async () => {
    const model = await new OnnxBackend().load({ id: 'tiny', path: '(memory)', format: 'onnx', bytes: tinyConvNet() });
    const input = Float32Array.from([1, 0, -1, 0, 1, 0, -1, 0, -5]);
    const out = await model.run({ input: { type: 'float32', dims: [1, 1, 3, 3], data: input } });
    // conv([[1,0],[0,1]]) = 1+4 = 5 → 5.5; [[0,-1],[1,0]] = -2+3 = 1 → 1.5; [[0,1],[-1,0]] = 2-3 = -1 → -0.5·0.1;
    // [[1,0],[0,-5]] = 1-20 = -19 → -18.5·0.1
    const got = Array.from(out.out.data as Float32Array);
    [5.5, 1.5, -0.05, -1.85].forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-6, `${i}: ${got[i]}`));
    await model.dispose();
  });

  it('reads back nodes, attributes and initializers', () => {
    const g = readOnnxModel(tinyConvNet());
    assert.deepEqual(g.inputs, ['input']);
    assert.deepEqual(g.outputs, ['out']);
    assert.deepEqual(
      g.nodes.map((n) => n.op),
      ['Conv', 'LeakyRelu', 'Flatten'],
    );
    assert.deepEqual(g.nodes[0].attrs.kernel_shape, [2, 2]);
    assert.ok(Math.abs((g.nodes[1].attrs.alpha as number) - 0.1) < 1e-7);
    assert.deepEqual(Array.from(g.initializers.get('w')!.data as Float32Array), [1, 2, 3, 4]);
  });

  it('gives a clear error for a graph onnxruntime cannot load', async () => {
    await assert.rejects(new OnnxBackend().load({ id: 'broken', path: '(memory)', format: 'onnx', bytes: Uint8Array.from([1, 2, 3]) }), {
      name: 'InferenceError',
      message: /cannot load model broken/,
    });
  });
});
