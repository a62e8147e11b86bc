import { projectOne } from './graph-projection.js';
import { buildGraphInWorker, HNSW_BUILD_THREADS, HNSW_PARAMS, type BuiltGraph, type HnswParams } from './graph-builder.js';
import { TemplateStore } from './template-store.js';

export interface FaceIndexOptions {
  dimensions: number;
  /**
   * Below this many templates an exact cosine scan answers (exact, and faster than a graph walk at that
   * size); from it on a usearch HNSW graph is built in a worker thread and used once it is ready.
   */
  exactBelow?: number;
  /** Native threads for a graph build (default HNSW_BUILD_THREADS). */
  buildThreads?: number;
  /** Graph parameters (default HNSW_PARAMS; the benchmark tries others). */
  graph?: Partial<HnswParams>;
  /** Told about each graph swapped in (build time, memory), or about a build that failed. */
  onGraph?: (info: GraphInfo) => void;
}

export type GraphInfo =
  | {
      ok: true;
      templates: number;
      dimensions: number;
      /** The graph's own dimension (below `dimensions` when the templates were projected for it). */
      graphDimensions: number;
      /** Share of the templates' variance the projection kept (1 without one). */
      explainedVariance: number;
      buildMs: number;
      /** Of buildMs, fitting the projection. */
      fitMs: number;
      swapMs: number;
      peakRssBytes: number;
    }
  | { ok: false; templates: number; dimensions: number; error: Error };

export interface FaceHit {
  key: number;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

/**
 * 1:N search over L2-normalised face templates of one dimension (any: 128-d dlib, 512-d ArcFace-style).
 * Templates live in a shared buffer (TemplateStore). Small lists are scanned exactly; a large list gets
 * a usearch HNSW graph built in a worker thread (the event loop keeps serving; the exact scan answers
 * until the graph is swapped in). Templates added after a build are scanned exactly and removed ones
 * are filtered out of graph hits, until enough of them pile up to warrant the next background build.
 * Graph hits are re-ranked with the exact f32 rows, so a reported similarity is always exact.
 */
export class FaceIndex {
  readonly dimensions: number;
  readonly exactBelow: number;
  private readonly store: TemplateStore;
  private readonly buildThreads: number;
  readonly params: Readonly<HnswParams>;
  private readonly onGraph?: (info: GraphInfo) => void;
  private graph: BuiltGraph | null = null;
  /** Slots inside the graph removed since it was built. */
  private deadInGraph = 0;
  private build: Promise<void> | null = null;
  /** Bumped by clear/compaction: a build started before it is stale. */
  private generation = 0;
  private failedAt = -1;

  constructor(opts: FaceIndexOptions) {
    this.dimensions = opts.dimensions;
    this.exactBelow = opts.exactBelow ?? 4096;
    this.store = new TemplateStore(opts.dimensions);
    this.buildThreads = opts.buildThreads ?? HNSW_BUILD_THREADS;
    this.params = { ...HNSW_PARAMS, ...opts.graph };
    this.onGraph = opts.onGraph;
  }

  get size(): number {
    return this.store.size;
  }

  /** What the next search uses: 'exact' scan only, or the 'hnsw' graph (plus an exact scan of recent adds). */
  get mode(): 'exact' | 'hnsw' {
    return this.graph ? 'hnsw' : 'exact';
  }

  /** True while a graph is being built in the background. */
  get building(): boolean {
    return this.build !== null;
  }

  /** Room for `more` templates in one move (before a bulk load). */
  reserve(more: number): void {
    this.store.reserve(more);
  }

  add(key: number, vector: Float32Array): void {
    this.removeSlot(key);
    this.store.put(key, vector);
    this.maybeBuild();
  }

  remove(key: number): boolean {
    if (!this.removeSlot(key)) return false;
    // Far below the threshold again: the exact scan is cheaper and frees the graph.
    if (this.graph && this.store.size < this.exactBelow / 2) this.dropGraph();
    this.maybeBuild();
    return true;
  }

  clear(): void {
    this.store.clear();
    this.dropGraph();
    this.generation++;
  }

  /** Resolves once no build is running (a build that finishes may start the next one if due). */
  async settled(): Promise<void> {
    while (this.build) await this.build;
  }

  /**
   * The k nearest templates, most similar first. `candidates`: graph hits re-ranked on the f32 rows
   * (default the index's `rerank`; a graph walk looks at no fewer than this many, so raising it also
   * widens the walk).
   */
  search(query: Float32Array, k = 1, candidates = this.params.rerank): FaceHit[] {
    if (query.length !== this.dimensions || this.store.size === 0 || k < 1) return [];
    const q = normalised(query);
    const slots = new Set<number>();
    const from = this.graph ? this.graph.end : 0;
    if (this.graph) {
      const want = Math.min(this.graph.count, Math.max(k, candidates) + Math.min(this.deadInGraph, 64));
      const gq = this.graph.projection ? projectOne(this.graph.projection, q) : q;
      const m = this.graph.index.search(gq, want, 1);
      for (const s of m.keys) if (this.store.isAlive(Number(s))) slots.add(Number(s));
    }
    this.scanExact(q, from, k, slots);
    const hits: FaceHit[] = [];
    for (const s of slots) hits.push({ key: this.store.keyOf(s), similarity: dot(q, this.store.row(s)) });
    return hits.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  private removeSlot(key: number): boolean {
    if (!this.store.has(key)) return false;
    const slot = this.store.slotOf(key)!;
    this.store.delete(key);
    if (this.graph && slot < this.graph.end) this.deadInGraph++;
    return true;
  }

  /**
   * Adds the k best live slots in [from, slots) to `into`. A plain loop: usearch's native brute force
   * refuses rows in a SharedArrayBuffer, and copying them out would cost more than the scan.
   */
  private scanExact(q: Float32Array, from: number, k: number, into: Set<number>): void {
    const to = this.store.slots;
    if (to <= from) return;
    const best: { s: number; d: number }[] = [];
    for (let s = from; s < to; s++) {
      if (!this.store.isAlive(s)) continue;
      const d = dot(q, this.store.row(s));
      if (best.length < k) {
        best.push({ s, d });
        best.sort((a, b) => b.d - a.d);
      } else if (d > best[k - 1]!.d) {
        best[k - 1] = { s, d };
        best.sort((a, b) => b.d - a.d);
      }
    }
    for (const b of best) into.add(b.s);
  }

  private dropGraph(): void {
    this.graph = null;
    this.deadInGraph = 0;
  }

  private maybeBuild(): void {
    if (this.build) return;
    const size = this.store.size;
    if (size < this.exactBelow) return;
    if (this.failedAt >= 0 && this.store.slots < this.failedAt + this.exactBelow) return;
    if (this.graph) {
      const stale = this.store.slots - this.graph.end + this.deadInGraph;
      if (stale < Math.max(this.exactBelow, this.graph.count * 0.05)) return;
    }
    if (this.store.deadSlots > this.store.slots / 2) {
      // Mostly dead rows: rewrite them (slot numbers change, so the old graph goes too).
      this.store.compact();
      this.dropGraph();
      this.generation++;
    }
    const generation = this.generation;
    const end = this.store.slots;
    const slots = this.store.liveSlots(end);
    this.build = buildGraphInWorker(this.store, slots, end, this.buildThreads, this.params)
      .then((graph) => {
        if (generation !== this.generation) return;
        let dead = 0;
        for (const s of slots) if (!this.store.isAlive(s)) dead++;
        this.graph = graph;
        this.deadInGraph = dead;
        this.failedAt = -1;
        this.onGraph?.({
          ok: true,
          templates: graph.count,
          dimensions: this.dimensions,
          graphDimensions: graph.projection?.to ?? this.dimensions,
          explainedVariance: graph.projection?.explained ?? 1,
          buildMs: graph.buildMs,
          fitMs: graph.fitMs,
          swapMs: graph.swapMs,
          peakRssBytes: graph.peakRss,
        });
      })
      .catch((error: Error) => {
        this.failedAt = this.store.slots;
        this.onGraph?.({ ok: false, templates: slots.length, dimensions: this.dimensions, error });
      })
      .finally(() => {
        this.build = null;
        this.maybeBuild();
      });
  }
}

/** Brute-force cosine top-k over normalised vectors (the exact reference). */
export function exactTopK(vectors: Iterable<[number, Float32Array]>, q: Float32Array, k: number): FaceHit[] {
  const best: FaceHit[] = [];
  for (const [key, v] of vectors) {
    const d = dot(q, v);
    if (best.length < k) {
      best.push({ key, similarity: d });
      best.sort((a, b) => b.similarity - a.similarity);
    } else if (d > best[k - 1]!.similarity) {
      best[k - 1] = { key, similarity: d };
      best.sort((a, b) => b.similarity - a.similarity);
    }
  }
  return best;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length - (a.length % 4);
  for (let i = 0; i < n; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (let i = n; i < a.length; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
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
