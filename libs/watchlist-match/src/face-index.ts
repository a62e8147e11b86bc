import { Index, MetricKind, ScalarKind } from 'usearch';

/**
 * HNSW parameters used by hub and edge, measured by `npm run bench:watchlist` (512-d, cos, f32):
 * M=16/ef=64 gave recall@1 0.83 at 100k; M=32 with a wider search meets recall@1 ≥ 0.99 at 1M.
 */
export const HNSW_PARAMS = { connectivity: 32, expansionAdd: 128, expansionSearch: 256 } as const;
/**
 * Threads for a bulk graph build. usearch's default (0) takes the host's hardware concurrency, which
 * in a container can be far above the cores it may use: oversubscribed builds ran many times slower.
 */
export const HNSW_BUILD_THREADS = 2;

export interface FaceIndexOptions {
  dimensions: number;
  /**
   * Below this many vectors a brute-force cosine scan answers (exact, and faster than a graph walk at
   * that size); at or above it the usearch HNSW graph is built and used.
   */
  exactBelow?: number;
}

export interface FaceHit {
  key: number;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

/**
 * 1:N search over L2-normalised face templates: exact scan for small lists, usearch HNSW (cosine) for
 * large ones. Vectors are also kept in memory so the index can switch modes and be rebuilt.
 */
export class FaceIndex {
  readonly dimensions: number;
  readonly exactBelow: number;
  private readonly vectors = new Map<number, Float32Array>();
  private hnsw: Index | null = null;

  constructor(opts: FaceIndexOptions) {
    this.dimensions = opts.dimensions;
    this.exactBelow = opts.exactBelow ?? 4096;
  }

  get size(): number {
    return this.vectors.size;
  }

  /** 'exact' or 'hnsw': what the next search uses. */
  get mode(): 'exact' | 'hnsw' {
    return this.hnsw ? 'hnsw' : 'exact';
  }

  add(key: number, vector: Float32Array): void {
    if (vector.length !== this.dimensions) throw new RangeError(`template has ${vector.length} dimensions, index has ${this.dimensions}`);
    const v = normalised(vector);
    if (this.vectors.has(key)) this.remove(key);
    this.vectors.set(key, v);
    if (this.hnsw) this.hnsw.add(BigInt(key), v, 1);
    else if (this.vectors.size >= this.exactBelow) this.buildGraph();
  }

  remove(key: number): boolean {
    if (!this.vectors.delete(key)) return false;
    if (this.hnsw) {
      this.hnsw.remove(BigInt(key));
      // Far below the threshold again: the exact scan is cheaper and frees the graph.
      if (this.vectors.size < this.exactBelow / 2) this.hnsw = null;
    }
    return true;
  }

  clear(): void {
    this.vectors.clear();
    this.hnsw = null;
  }

  /** The k nearest templates, most similar first. */
  search(query: Float32Array, k = 1): FaceHit[] {
    if (query.length !== this.dimensions || this.vectors.size === 0) return [];
    const q = normalised(query);
    if (this.hnsw) {
      const m = this.hnsw.search(q, Math.min(k, this.vectors.size), 1);
      const out: FaceHit[] = [];
      for (let i = 0; i < m.keys.length; i++) out.push({ key: Number(m.keys[i]), similarity: 1 - m.distances[i]! });
      return out;
    }
    return exactTopK(this.vectors, q, k);
  }

  private buildGraph(): void {
    const index = new Index({
      dimensions: this.dimensions,
      metric: MetricKind.Cos,
      quantization: ScalarKind.F32,
      connectivity: HNSW_PARAMS.connectivity,
      expansion_add: HNSW_PARAMS.expansionAdd,
      expansion_search: HNSW_PARAMS.expansionSearch,
      multi: false,
    });
    const keys = new BigUint64Array(this.vectors.size);
    const flat = new Float32Array(this.vectors.size * this.dimensions);
    let i = 0;
    for (const [key, v] of this.vectors) {
      keys[i] = BigInt(key);
      flat.set(v, i++ * this.dimensions);
    }
    index.add(keys, flat, HNSW_BUILD_THREADS);
    this.hnsw = index;
  }
}

/** Brute-force cosine top-k over normalised vectors (the exact reference and the small-list path). */
export function exactTopK(vectors: Iterable<[number, Float32Array]>, q: Float32Array, k: number): FaceHit[] {
  const best: FaceHit[] = [];
  for (const [key, v] of vectors) {
    let dot = 0;
    for (let d = 0; d < q.length; d++) dot += q[d]! * v[d]!;
    if (best.length < k) {
      best.push({ key, similarity: dot });
      best.sort((a, b) => b.similarity - a.similarity);
    } else if (dot > best[k - 1]!.similarity) {
      best[k - 1] = { key, similarity: dot };
      best.sort((a, b) => b.similarity - a.similarity);
    }
  }
  return best;
}

function normalised(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}
