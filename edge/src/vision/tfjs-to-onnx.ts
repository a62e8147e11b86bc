import type { TfjsGraphArtifacts } from '../../../libs/face/src/inference/inference-backend.js';
import { float16ToFloat32 } from '../../../libs/face/src/models/tfjs-graph-to-onnx.js';
import { OnnxGraphBuilder } from '../../../libs/face/src/onnx/onnx-graph-builder.js';

/**
 * Converts a TF.js graph of convolutional layers (NHWC) into an ONNX graph (NCHW) that onnxruntime
 * runs, in memory, from the hash-checked files an npm package ships: no converted file is stored and
 * nothing is downloaded. Covers the ops of MobileNet-style detectors — (fused) Conv2D and depthwise
 * convolutions with BiasAdd/Relu/Relu6, Add/AddV2/Sub/Mul with per-channel or scalar constants,
 * Relu, Relu6, Sigmoid, Mean over H and W, bilinear ×2 upsampling, Concat on channels, Identity — and
 * refuses anything else by name. The input stays NHWC float32 (what TF.js took), each output is
 * returned NCHW (or NHWC when asked). libs/face's tfjs-graph-to-onnx.ts converts small sequential
 * classifiers (dense layers, softmax); this one converts detector graphs whose layers branch and join.
 */
export interface TfjsToOnnxOptions {
  /** TF.js tensor names to expose as outputs, and the ONNX output name of each. */
  outputs: { tensor: string; name: string; slice?: { channel: number }; nhwc?: boolean }[];
}

/** A TF.js node attribute as model.json writes it. */
interface Attr {
  list?: { i?: string[]; s?: string[] };
  s?: string;
  b?: boolean;
}
type GraphNode = { name: string; op: string; input?: string[]; attr?: Record<string, Attr> };

interface ConstTensor {
  shape: number[];
  dtype: string;
  data: Float32Array | Int32Array;
}

export class UnsupportedGraphError extends Error {}

export function tfjsGraphToOnnx(g: TfjsGraphArtifacts, options: TfjsToOnnxOptions): Uint8Array {
  const consts = readWeights(g);
  const nodes = new Map(g.modelTopology.node.map((n) => [n.name, n as GraphNode]));
  const b = new OnnxGraphBuilder('tfjs-graph');
  const tensors = new Map<string, string>();
  const strip = (name: string) => name.replace(/^\^/, '').replace(/:0$/, '');

  const build = (name: string): string => {
    const key = strip(name);
    const done = tensors.get(key);
    if (done) return done;
    const n = nodes.get(key);
    if (!n) throw new UnsupportedGraphError(`tensor ${key} is not in the graph`);
    const out = convert(n);
    tensors.set(key, out);
    return out;
  };
  const constOf = (name: string): ConstTensor | undefined => {
    const n = nodes.get(strip(name));
    return n?.op === 'Const' ? consts.get(n.name) : undefined;
  };
  const needConst = (name: string, what: string): ConstTensor => {
    const c = constOf(name);
    if (!c) throw new UnsupportedGraphError(`${what}: ${name} is not a constant`);
    return c;
  };
  /** An elementwise operand: activations as they are, constants shaped to broadcast over NCHW. */
  const operand = (name: string): string => {
    const c = constOf(name);
    if (!c) return build(name);
    const count = c.data.length;
    const data = Float32Array.from(c.data);
    const id = `c_${strip(name)}`;
    if (count === 1) return b.floatConstant(id, [], data);
    if (c.shape.length === 1 || (c.shape.length === 4 && c.shape[0] === 1 && c.shape[1] === 1 && c.shape[2] === 1)) {
      return b.floatConstant(id, [1, count, 1, 1], data);
    }
    throw new UnsupportedGraphError(`constant ${name} of shape [${c.shape}] cannot broadcast over channels`);
  };
  const attrList = (n: GraphNode, key: string): number[] => (n.attr?.[key]?.list?.i ?? []).map(Number);
  const attrString = (n: GraphNode, key: string): string => {
    const v = n.attr?.[key]?.s;
    return v ? Buffer.from(v, 'base64').toString('utf8') : '';
  };
  const fusedOps = (n: GraphNode): string[] =>
    (n.attr?.fused_ops?.list?.s ?? []).map((s: string) => Buffer.from(s, 'base64').toString('utf8'));

  const activation = (x: string, ops: readonly string[], where: string): string => {
    let y = x;
    for (const op of ops) {
      if (op === 'BiasAdd') continue;
      if (op === 'Relu') y = b.node('Relu', [y]);
      else if (op === 'Relu6') y = relu6(y);
      else throw new UnsupportedGraphError(`${where}: fused ${op} is not supported`);
    }
    return y;
  };
  const relu6 = (x: string): string => {
    if (!tensors.has('__zero')) {
      tensors.set('__zero', b.floatConstant('relu6_min', [], Float32Array.of(0)));
      tensors.set('__six', b.floatConstant('relu6_max', [], Float32Array.of(6)));
    }
    return b.node('Clip', [x, tensors.get('__zero')!, tensors.get('__six')!]);
  };

  const conv = (n: GraphNode, depthwise: boolean): string => {
    const inputs = n.input ?? [];
    const x = build(inputs[0]!);
    const f = needConst(inputs[1]!, n.name);
    const [kh, kw, ci, co] = f.shape as [number, number, number, number];
    const outC = depthwise ? ci * co : co;
    const w = new Float32Array(outC * (depthwise ? 1 : ci) * kh * kw);
    for (let y = 0; y < kh; y++) {
      for (let xx = 0; xx < kw; xx++) {
        for (let c = 0; c < ci; c++) {
          for (let o = 0; o < co; o++) {
            const v = f.data[((y * kw + xx) * ci + c) * co + o]!;
            if (depthwise) w[((c * co + o) * kh + y) * kw + xx] = v;
            else w[((o * ci + c) * kh + y) * kw + xx] = v;
          }
        }
      }
    }
    const ops = n.op.startsWith('_Fused') || n.op.startsWith('Fused') ? fusedOps(n) : [];
    const conv: string[] = [x, b.floatConstant(`w_${n.name}`, [outC, depthwise ? 1 : ci, kh, kw], w)];
    if (ops.includes('BiasAdd')) conv.push(b.floatConstant(`b_${n.name}`, [outC], Float32Array.from(needConst(inputs[2]!, n.name).data)));
    const padding = attrString(n, 'padding');
    if (padding !== 'SAME' && padding !== 'VALID') throw new UnsupportedGraphError(`${n.name}: padding ${padding} is not supported`);
    const strides = attrList(n, 'strides');
    const dilations = attrList(n, 'dilations');
    if (attrString(n, 'data_format') && attrString(n, 'data_format') !== 'NHWC') throw new UnsupportedGraphError(`${n.name}: not NHWC`);
    const y = b.node('Conv', conv, {
      auto_pad: { s: padding === 'SAME' ? 'SAME_UPPER' : 'VALID' },
      kernel_shape: { ints: [kh, kw] },
      strides: { ints: strides.length === 4 ? [strides[1]!, strides[2]!] : [1, 1] },
      dilations: { ints: dilations.length === 4 ? [dilations[1]!, dilations[2]!] : [1, 1] },
      group: { i: depthwise ? ci : 1 },
    });
    return activation(y, ops, n.name);
  };

  const convert = (n: GraphNode): string => {
    const inputs = (n.input ?? []).filter((i) => !i.startsWith('^'));
    switch (n.op) {
      case 'Placeholder': {
        const x = b.input(n.name, [1, 'height', 'width', 3]);
        return b.node('Transpose', [x], { perm: { ints: [0, 3, 1, 2] } });
      }
      case 'Identity':
        return build(inputs[0]!);
      case 'Conv2D':
      case '_FusedConv2D':
        return conv(n, false);
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative':
        return conv(n, true);
      case 'Add':
      case 'AddV2':
        return b.node('Add', [operand(inputs[0]!), operand(inputs[1]!)]);
      case 'Sub':
        return b.node('Sub', [operand(inputs[0]!), operand(inputs[1]!)]);
      case 'Mul':
        return b.node('Mul', [operand(inputs[0]!), operand(inputs[1]!)]);
      case 'Relu':
        return b.node('Relu', [build(inputs[0]!)]);
      case 'Relu6':
        return relu6(build(inputs[0]!));
      case 'Sigmoid':
        return b.node('Sigmoid', [build(inputs[0]!)]);
      case 'Mean': {
        const axes = Array.from(needConst(inputs[1]!, n.name).data).map((a) => ({ 1: 2, 2: 3, 3: 1, [-1]: 1 })[a as 1 | 2 | 3 | -1]);
        if (axes.some((a) => a === undefined)) throw new UnsupportedGraphError(`${n.name}: mean over the batch`);
        return b.node('ReduceMean', [build(inputs[0]!)], {
          axes: { ints: axes as number[] },
          keepdims: { i: n.attr?.keep_dims?.b ? 1 : 0 },
        });
      }
      case 'ResizeBilinear': {
        if (n.attr?.align_corners?.b) throw new UnsupportedGraphError(`${n.name}: align_corners`);
        // ×2 upsampling (the graph's sizes are twice its input's: checked against TF.js in the spec).
        const scales = b.floatConstant(`s_${n.name}`, [4], Float32Array.of(1, 1, 2, 2));
        return b.node('Resize', [build(inputs[0]!), '', scales], {
          mode: { s: 'linear' },
          coordinate_transformation_mode: { s: n.attr?.half_pixel_centers?.b ? 'half_pixel' : 'asymmetric' },
        });
      }
      case 'ConcatV2': {
        const axis = needConst(inputs[inputs.length - 1]!, n.name).data[0]!;
        if (axis !== 3 && axis !== -1) throw new UnsupportedGraphError(`${n.name}: concat on axis ${axis}`);
        return b.node(
          'Concat',
          inputs.slice(0, -1).map((i) => build(i)),
          { axis: { i: 1 } },
        );
      }
      default:
        throw new UnsupportedGraphError(`op ${n.op} (${n.name}) is not supported by the TF.js → ONNX conversion`);
    }
  };

  for (const o of options.outputs) {
    let y = build(o.tensor);
    if (o.slice) {
      const c = o.slice.channel;
      y = b.node('Slice', [
        y,
        b.int64Constant(`${o.name}_starts`, [c]),
        b.int64Constant(`${o.name}_ends`, [c + 1]),
        b.int64Constant(`${o.name}_axes`, [1]),
      ]);
    }
    if (o.nhwc) y = b.node('Transpose', [y], { perm: { ints: [0, 2, 3, 1] } });
    b.node('Identity', [y], {}, o.name);
    b.output(o.name, [1, `${o.name}_d1`, `${o.name}_d2`, `${o.name}_d3`]);
  }
  return b.encode();
}

/** Weights by name, float16 and uint8-quantised ones turned back into float32. */
function readWeights(g: TfjsGraphArtifacts): Map<string, ConstTensor> {
  const out = new Map<string, ConstTensor>();
  const bytes = new Uint8Array(g.weightData);
  const view = new DataView(g.weightData);
  let offset = 0;
  for (const s of g.weightSpecs) {
    const n = s.shape.reduce((a, c) => a * c, 1);
    const q = s.quantization as { dtype: string; scale?: number; min?: number } | undefined;
    let data: Float32Array | Int32Array;
    if (q?.dtype === 'float16') {
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = float16ToFloat32(view.getUint16(offset + 2 * i, true));
      offset += 2 * n;
    } else if (q?.dtype === 'uint8') {
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = (q.min ?? 0) + bytes[offset + i]! * (q.scale ?? 1);
      offset += n;
    } else if (q) {
      throw new UnsupportedGraphError(`weight ${s.name}: quantisation ${q.dtype} is not supported`);
    } else if (s.dtype === 'int32') {
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getInt32(offset + 4 * i, true);
      offset += 4 * n;
    } else if (s.dtype === 'float32') {
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat32(offset + 4 * i, true);
      offset += 4 * n;
    } else {
      throw new UnsupportedGraphError(`weight ${s.name}: dtype ${s.dtype} is not supported`);
    }
    out.set(s.name, { shape: s.shape, dtype: s.dtype, data });
  }
  return out;
}
