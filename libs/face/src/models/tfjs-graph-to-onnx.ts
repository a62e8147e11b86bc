import { z } from 'zod';
import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder.js';
import { hwioToOihw } from './face-api-weights.js';
import { convNode } from './onnx-layers.js';

/**
 * Converts small sequential TF.js graph models (conv → pool → dense classifiers such as Human's
 * antispoof) to ONNX. Supported ops: _FusedConv2D (BiasAdd[, Relu]), Conv2D, MaxPool, Relu,
 * Reshape (flatten), _FusedMatMul (BiasAdd[, Relu]), Sigmoid, Softmax, Identity, Const, Placeholder.
 * Input stays NHWC like the original; the graph transposes to NCHW and back before flattening.
 */
const attrSchema = z.record(z.string(), z.any());
const graphSchema = z.object({
  modelTopology: z.object({
    node: z.array(z.object({ name: z.string(), op: z.string(), input: z.array(z.string()).optional(), attr: attrSchema.optional() })),
  }),
  weightsManifest: z.array(
    z.object({
      paths: z.array(z.string()),
      weights: z.array(
        z.object({
          name: z.string(),
          shape: z.array(z.number()),
          dtype: z.string(),
          quantization: z.object({ dtype: z.string(), scale: z.number().optional(), min: z.number().optional() }).optional(),
        }),
      ),
    }),
  ),
});

export function float16ToFloat32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function readWeights(json: z.infer<typeof graphSchema>, shards: ReadonlyMap<string, Uint8Array>) {
  const map = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>();
  for (const group of json.weightsManifest) {
    const parts = group.paths.map((p) => {
      const s = shards.get(p);
      if (!s) throw new Error(`weights shard ${p} missing`);
      return s;
    });
    const buf = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    const dv = new DataView(buf.buffer);
    let off = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization?.dtype;
      if (w.dtype === 'int32') {
        const data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = dv.getInt32(off + i * 4, true);
        off += n * 4;
        map.set(w.name, { shape: w.shape, data });
        continue;
      }
      const data = new Float32Array(n);
      if (q === 'float16') {
        for (let i = 0; i < n; i++) data[i] = float16ToFloat32(dv.getUint16(off + i * 2, true));
        off += n * 2;
      } else if (q === 'uint8') {
        for (let i = 0; i < n; i++) data[i] = buf[off + i] * w.quantization!.scale! + w.quantization!.min!;
        off += n;
      } else {
        for (let i = 0; i < n; i++) data[i] = dv.getFloat32(off + i * 4, true);
        off += n * 4;
      }
      map.set(w.name, { shape: w.shape, data });
    }
    if (off !== buf.length) throw new Error('weights shard length does not match its manifest');
  }
  return map;
}

const decodeB64 = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').toString() : '');
const listS = (a: Record<string, any> | undefined, k: string): string[] => (a?.[k]?.list?.s ?? []).map(decodeB64);
const listI = (a: Record<string, any> | undefined, k: string): number[] => (a?.[k]?.list?.i ?? []).map(Number);

export function tfjsSequentialToOnnx(modelJson: string, shards: ReadonlyMap<string, Uint8Array>, inputSize: number): Uint8Array {
  const json = graphSchema.parse(JSON.parse(modelJson));
  const weights = readWeights(json, shards);
  const b = new OnnxGraphBuilder('tfjs_sequential');
  const names = new Map<string, string>();
  const weightOf = (name: string) => {
    const w = weights.get(name.split(':')[0]);
    if (!w) throw new Error(`constant ${name} has no weights`);
    return w;
  };
  let layout: 'NCHW' | 'flat' = 'NCHW';
  let last = '';
  for (const node of json.modelTopology.node) {
    const inputs = (node.input ?? []).map((i) => names.get(i.split(':')[0]) ?? i);
    const a = node.attr;
    let out: string;
    switch (node.op) {
      case 'Const':
        continue;
      case 'Placeholder': {
        const x = b.input('input', ['N', inputSize, inputSize, 3]);
        out = b.node('Transpose', [x], { perm: { ints: [0, 3, 1, 2] } });
        break;
      }
      case 'Conv2D':
      case '_FusedConv2D': {
        const f = weightOf(node.input![1]);
        const [kh, kw, cin, cout] = f.shape;
        const fused = listS(a, 'fused_ops');
        const bias = node.op === '_FusedConv2D' && fused[0] === 'BiasAdd' ? (weightOf(node.input![2]).data as Float32Array) : undefined;
        const stride = listI(a, 'strides')[1] ?? 1;
        const padding = decodeB64(a?.padding?.s) === 'SAME' ? 'same' : 'valid';
        out = convNode(b, inputs[0], b.fresh('conv'), hwioToOihw({ shape: f.shape, data: f.data as Float32Array }), [cout, cin, kh, kw], bias, { stride, padding });
        if (fused.includes('Relu')) out = b.node('Relu', [out]);
        break;
      }
      case 'MaxPool': {
        const k = listI(a, 'ksize');
        const s = listI(a, 'strides');
        const attrs: Parameters<OnnxGraphBuilder['node']>[2] = { kernel_shape: { ints: [k[1], k[2]] }, strides: { ints: [s[1], s[2]] } };
        if (decodeB64(a?.padding?.s) === 'SAME') attrs.auto_pad = { s: 'SAME_UPPER' };
        out = b.node('MaxPool', [inputs[0]], attrs);
        break;
      }
      case 'Relu':
      case 'Sigmoid':
        out = b.node(node.op, [inputs[0]]);
        break;
      case 'Softmax':
        out = b.node('Softmax', [inputs[0]], { axis: { i: -1 } });
        break;
      case 'Reshape': {
        // TF flattens NHWC; go back to NHWC order first.
        const nhwc = layout === 'NCHW' ? b.node('Transpose', [inputs[0]], { perm: { ints: [0, 2, 3, 1] } }) : inputs[0];
        out = b.node('Flatten', [nhwc], { axis: { i: 1 } });
        layout = 'flat';
        break;
      }
      case '_FusedMatMul':
      case 'MatMul': {
        const w = weightOf(node.input![1]);
        let mm = b.node('MatMul', [inputs[0], b.floatConstant(b.fresh('dense_w'), w.shape, w.data as Float32Array)]);
        const fused = listS(a, 'fused_ops');
        if (node.op === '_FusedMatMul' && fused[0] === 'BiasAdd') {
          const bias = weightOf(node.input![2]);
          mm = b.node('Add', [mm, b.floatConstant(b.fresh('dense_b'), bias.shape, bias.data as Float32Array)]);
        }
        out = fused.includes('Relu') ? b.node('Relu', [mm]) : mm;
        break;
      }
      case 'Identity':
        out = inputs[0];
        break;
      default:
        throw new Error(`TF.js op ${node.op} (${node.name}) is not supported by the sequential converter`);
    }
    names.set(node.name, out);
    last = out;
  }
  b.node('Identity', [last], {}, 'output');
  b.output('output', ['N', 'K']);
  return b.encode();
}
