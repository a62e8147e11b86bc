import type { LoadedModel } from '../inference/inference-backend.js';

/** Runs the recogniser on a batch of aligned chips and returns L2-normalised descriptors. */
export class FaceEmbedder {
  constructor(
    private readonly model: LoadedModel,
    readonly chipSize: number,
  ) {}

  async embedChips(chips: Float32Array, count: number): Promise<Float32Array[]> {
    if (count === 0) return [];
    const s = this.chipSize;
    const out = await this.model.run({ input: { type: 'float32', dims: [count, 3, s, s], data: chips } });
    const t = out[this.model.outputNames[0]];
    const dim = t.dims[1];
    const data = t.data as Float32Array;
    return Array.from({ length: count }, (_, i) => l2Normalise(data.slice(i * dim, (i + 1) * dim)));
  }
}

export function l2Normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const n = Math.sqrt(sum);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}
