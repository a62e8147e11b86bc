import type { LoadedModel } from '../inference/inference-backend.js';

/**
 * Runs the recogniser on a batch of aligned chips and returns L2-normalised descriptors. A model
 * whose batch dimension is fixed at 1 (as many exported ONNX recognisers are) is run chip by chip.
 */
export class FaceEmbedder {
  constructor(
    private readonly model: LoadedModel,
    readonly chipSize: number,
    private readonly maxBatch = Infinity,
  ) {}

  async embedChips(chips: Float32Array, count: number): Promise<Float32Array[]> {
    if (count === 0) return [];
    const per = 3 * this.chipSize * this.chipSize;
    const out: Float32Array[] = [];
    for (let start = 0; start < count; start += Math.min(count, this.maxBatch)) {
      const n = Math.min(count - start, this.maxBatch);
      out.push(...(await this.run(chips.subarray(start * per, (start + n) * per), n)));
    }
    return out;
  }

  private async run(chips: Float32Array, count: number): Promise<Float32Array[]> {
    const s = this.chipSize;
    const input = this.model.inputNames[0] ?? 'input';
    const out = await this.model.run({ [input]: { type: 'float32', dims: [count, 3, s, s], data: chips } });
    const t = out[this.model.outputNames[0]];
    const dim = t.data.length / count;
    const data = t.data as Float32Array;
    return Array.from({ length: count }, (_, i) => l2Normalise(Float32Array.from(data.subarray(i * dim, (i + 1) * dim))));
  }
}

export function l2Normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const n = Math.sqrt(sum);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}
