import * as tf from '@tensorflow/tfjs';
import type { OnnxAttribute, OnnxGraph, OnnxNode } from '../onnx/onnx-model-reader.js';
import { InferenceError, type NamedTensor } from './inference-backend.js';

/**
 * Executes an ONNX graph with TF.js ops, for the op subset this library's converters emit (Conv,
 * pooling, Pad, Relu/LeakyRelu, Add, Flatten, MatMul, Identity). TF.js convolutions want NHWC, so
 * 4-D activations are kept NHWC inside and transposed only at the graph's edges.
 */
export class OnnxTfjsRunner {
  private readonly weights = new Map<string, tf.Tensor>();

  constructor(private readonly graph: OnnxGraph) {
    for (const n of graph.nodes) {
      const supported = SUPPORTED.has(n.op);
      if (!supported) throw new InferenceError(`ONNX op ${n.op} (${n.outputs[0]}) is not supported by the TF.js runner`);
    }
    for (const [name, t] of graph.initializers) {
      if (t.type === 'int64') continue; // shape-like constants are read directly
      this.weights.set(name, tf.tensor(t.data as Float32Array, t.dims, t.type === 'uint8' ? 'int32' : 'float32'));
    }
    // Conv weights to TF.js layouts once.
    for (const n of graph.nodes.filter((x) => x.op === 'Conv')) {
      const w = this.weights.get(n.inputs[1]);
      if (!w) throw new InferenceError(`Conv ${n.outputs[0]} weight must be an initializer`);
      const group = num(n.attrs.group, 1);
      const converted = group === 1 ? tf.transpose(w, [2, 3, 1, 0]) : tf.transpose(w, [2, 3, 0, 1]);
      w.dispose();
      this.weights.set(n.inputs[1], converted);
    }
  }

  run(feeds: Record<string, NamedTensor>): Record<string, NamedTensor> {
    const outputs = tf.tidy(() => {
      const values = new Map<string, tf.Tensor>(this.weights);
      for (const name of this.graph.inputs) {
        const feed = feeds[name];
        if (!feed) throw new InferenceError(`missing input ${name}`);
        let t: tf.Tensor = tf.tensor(feed.data as Float32Array, [...feed.dims], feed.type === 'float32' ? 'float32' : 'int32');
        if (t.rank === 4) t = tf.transpose(t, [0, 2, 3, 1]);
        values.set(name, t);
      }
      for (const node of this.graph.nodes) values.set(node.outputs[0], this.exec(node, values));
      const out: Record<string, tf.Tensor> = {};
      for (const name of this.graph.outputs) {
        const t = values.get(name)!;
        out[name] = t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t;
      }
      return out;
    });
    const result: Record<string, NamedTensor> = {};
    for (const [name, t] of Object.entries(outputs)) {
      result[name] = { type: 'float32', dims: t.shape, data: t.dataSync() as Float32Array };
      t.dispose();
    }
    return result;
  }

  dispose(): void {
    for (const t of this.weights.values()) t.dispose();
    this.weights.clear();
  }

  private exec(node: OnnxNode, values: Map<string, tf.Tensor>): tf.Tensor {
    const input = (i: number): tf.Tensor => {
      const v = values.get(node.inputs[i]);
      if (!v) throw new InferenceError(`${node.op} ${node.outputs[0]}: input ${node.inputs[i]} not computed`);
      return v;
    };
    const a = node.attrs;
    switch (node.op) {
      case 'Conv': {
        const x = input(0) as tf.Tensor4D;
        const w = input(1) as tf.Tensor4D;
        const strides = ints(a.strides, [1, 1]) as [number, number];
        const [x2, pad] = padding(x, a);
        const out = num(a.group, 1) === 1 ? tf.conv2d(x2, w, strides, pad) : tf.depthwiseConv2d(x2, w, strides, pad);
        return node.inputs[2] ? tf.add(out, input(2)) : out;
      }
      case 'MaxPool':
      case 'AveragePool': {
        const [x2, pad] = padding(input(0) as tf.Tensor4D, a);
        const k = ints(a.kernel_shape, [1, 1]) as [number, number];
        const s = ints(a.strides, [1, 1]) as [number, number];
        return node.op === 'MaxPool' ? tf.maxPool(x2, k, s, pad) : tf.avgPool(x2, k, s, pad);
      }
      case 'GlobalAveragePool':
        return tf.mean(input(0), [1, 2], true);
      case 'Pad': {
        const p = this.int64(node.inputs[1]);
        const [n0, c0, h0, w0, n1, c1, h1, w1] = p;
        return tf.pad(input(0), [
          [n0, n1],
          [h0, h1],
          [w0, w1],
          [c0, c1],
        ]);
      }
      case 'Relu':
        return tf.relu(input(0));
      case 'LeakyRelu':
        return tf.leakyRelu(input(0), typeof a.alpha === 'number' ? a.alpha : 0.01);
      case 'Add':
        return tf.add(input(0), input(1));
      case 'Flatten': {
        const x = input(0);
        const nchw = x.rank === 4 ? tf.transpose(x, [0, 3, 1, 2]) : x;
        return tf.reshape(nchw, [x.shape[0], -1]);
      }
      case 'MatMul':
        return tf.matMul(input(0) as tf.Tensor2D, input(1) as tf.Tensor2D);
      case 'Identity':
        return tf.clone(input(0));
      default:
        throw new InferenceError(`ONNX op ${node.op} is not supported by the TF.js runner`);
    }
  }

  private int64(name: string): number[] {
    const t = this.graph.initializers.get(name);
    if (!t || t.type !== 'int64') throw new InferenceError(`${name} must be an int64 initializer`);
    return Array.from(t.data as BigInt64Array, Number);
  }
}

const SUPPORTED = new Set([
  'Conv',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Pad',
  'Relu',
  'LeakyRelu',
  'Add',
  'Flatten',
  'MatMul',
  'Identity',
]);

function num(v: OnnxAttribute | undefined, dflt: number): number {
  return typeof v === 'number' ? v : dflt;
}

function ints(v: OnnxAttribute | undefined, dflt: number[]): number[] {
  return Array.isArray(v) ? v : dflt;
}

/** ONNX padding attributes → a TF.js padding mode, pre-padding explicitly where needed. */
function padding(x: tf.Tensor4D, a: Record<string, OnnxAttribute>): [tf.Tensor4D, 'valid' | 'same'] {
  if (a.auto_pad === 'SAME_UPPER') return [x, 'same'];
  const p = ints(a.pads, [0, 0, 0, 0]);
  if (p.every((v) => v === 0)) return [x, 'valid'];
  return [
    tf.pad(x, [
      [0, 0],
      [p[0], p[2]],
      [p[1], p[3]],
      [0, 0],
    ]),
    'valid',
  ];
}
