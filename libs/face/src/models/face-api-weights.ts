import { z } from 'zod';

/**
 * Reads face-api's TF.js weight shards (a weights manifest plus .bin files): quantised uint8
 * entries are expanded with their scale/min, float32 entries are copied. Returns HWIO/NHWC-ordered
 * tensors as TF.js stored them.
 */
const weightEntrySchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.literal('float32'),
  quantization: z.object({ dtype: z.literal('uint8'), scale: z.number(), min: z.number() }).optional(),
});
const weightsManifestSchema = z.array(z.object({ paths: z.array(z.string()), weights: z.array(weightEntrySchema) }));
export type WeightsManifest = z.infer<typeof weightsManifestSchema>;

export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}
export type WeightMap = Map<string, WeightTensor>;

/** `shards` are the .bin files listed in the manifest's `paths`, by file name. */
export function readFaceApiWeights(manifestJson: string, shards: ReadonlyMap<string, Uint8Array>): WeightMap {
  const manifest = weightsManifestSchema.parse(JSON.parse(manifestJson));
  const map: WeightMap = new Map();
  for (const group of manifest) {
    const parts = group.paths.map((p) => {
      const shard = shards.get(p);
      if (!shard) throw new Error(`weights shard ${p} missing`);
      return shard;
    });
    const total = parts.reduce((n, p) => n + p.length, 0);
    const buf = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    let offset = 0;
    for (const w of group.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      if (w.quantization) {
        const { scale, min } = w.quantization;
        if (offset + size > buf.length) throw new Error(`weights for ${w.name} run past the shard end`);
        for (let i = 0; i < size; i++) data[i] = buf[offset + i] * scale + min;
        offset += size;
      } else {
        if (offset + size * 4 > buf.length) throw new Error(`weights for ${w.name} run past the shard end`);
        const dv = new DataView(buf.buffer, buf.byteOffset + offset, size * 4);
        for (let i = 0; i < size; i++) data[i] = dv.getFloat32(i * 4, true);
        offset += size * 4;
      }
      map.set(w.name, { shape: w.shape, data });
    }
    if (offset !== buf.length) throw new Error(`weights shard has ${buf.length - offset} unexpected trailing bytes`);
  }
  return map;
}

export function takeWeight(map: WeightMap, name: string, rank: number): WeightTensor {
  const w = map.get(name);
  if (!w) throw new Error(`weight ${name} missing`);
  if (w.shape.length !== rank) throw new Error(`weight ${name}: expected rank ${rank}, got [${w.shape}]`);
  return w;
}

/** TF conv filter [kh, kw, in, out] → ONNX [out, in, kh, kw], each output channel scaled by `scale`. */
export function hwioToOihw(w: WeightTensor, scale?: Float32Array): Float32Array {
  const [kh, kw, cin, cout] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          const s = scale ? scale[o] : 1;
          out[((o * cin + i) * kh + y) * kw + x] = w.data[((y * kw + x) * cin + i) * cout + o] * s;
        }
  return out;
}

/** TF depthwise filter [kh, kw, c, 1] → ONNX grouped conv weight [c, 1, kh, kw]. */
export function depthwiseToOnnx(w: WeightTensor): Float32Array {
  const [kh, kw, c, m] = w.shape;
  if (m !== 1) throw new Error('depthwise multiplier other than 1 is not supported');
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < c; i++) out[(i * kh + y) * kw + x] = w.data[(y * kw + x) * c + i];
  return out;
}
