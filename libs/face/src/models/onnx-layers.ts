import type { OnnxGraphBuilder } from '../onnx/onnx-graph-builder.js';
import { depthwiseToOnnx, hwioToOihw, takeWeight, type WeightMap } from './face-api-weights.js';

/** Layer emitters shared by the face-api → ONNX graph converters (NCHW activations). */
export type Padding = 'valid' | 'same' | readonly [number, number, number, number];

export interface ConvOptions {
  stride?: number;
  padding?: Padding;
  group?: number;
}

export function convNode(
  b: OnnxGraphBuilder,
  x: string,
  name: string,
  weight: Float32Array,
  dims: readonly [number, number, number, number],
  bias: Float32Array | undefined,
  opts: ConvOptions = {},
): string {
  const stride = opts.stride ?? 1;
  const attrs: Parameters<OnnxGraphBuilder['node']>[2] = {
    kernel_shape: { ints: [dims[2], dims[3]] },
    strides: { ints: [stride, stride] },
    group: { i: opts.group ?? 1 },
  };
  const padding = opts.padding ?? 'valid';
  if (padding === 'same') attrs.auto_pad = { s: 'SAME_UPPER' };
  else if (padding !== 'valid') attrs.pads = { ints: [padding[0], padding[1], padding[2], padding[3]] };
  const inputs = [x, b.floatConstant(`${name}/W`, dims, weight)];
  if (bias) inputs.push(b.floatConstant(`${name}/B`, [bias.length], bias));
  return b.node('Conv', inputs, attrs, name);
}

/** TF conv2d + bias from `${prefix}/filters` and `${prefix}/bias`. */
export function tfConv(b: OnnxGraphBuilder, x: string, w: WeightMap, prefix: string, opts: ConvOptions = {}): string {
  const f = takeWeight(w, `${prefix}/filters`, 4);
  const bias = takeWeight(w, `${prefix}/bias`, 1);
  const [kh, kw, cin, cout] = f.shape;
  return convNode(b, x, prefix, hwioToOihw(f), [cout, cin, kh, kw], bias.data, opts);
}

/** TF separableConv2d (depthwise then pointwise) + bias. */
export function tfSeparableConv(
  b: OnnxGraphBuilder,
  x: string,
  w: WeightMap,
  prefix: string,
  opts: { stride?: number; padding?: Padding } = {},
): string {
  const dw = takeWeight(w, `${prefix}/depthwise_filter`, 4);
  const pw = takeWeight(w, `${prefix}/pointwise_filter`, 4);
  const bias = takeWeight(w, `${prefix}/bias`, 1);
  const [kh, kw, c] = dw.shape;
  const depth = convNode(b, x, `${prefix}/depthwise`, depthwiseToOnnx(dw), [c, 1, kh, kw], undefined, {
    ...opts,
    group: c,
  });
  const cout = pw.shape[3];
  return convNode(b, depth, `${prefix}/pointwise`, hwioToOihw(pw), [cout, c, 1, 1], bias.data);
}

export function relu(b: OnnxGraphBuilder, x: string): string {
  return b.node('Relu', [x]);
}

export function add(b: OnnxGraphBuilder, x: string, y: string): string {
  return b.node('Add', [x, y]);
}
