import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Index, MetricKind, ScalarKind, type IndexConfig } from 'usearch';
import type { GraphProjection } from './graph-projection.js';
import type { TemplateStore } from './template-store.js';

/** What the worker is given: the rows to index and where to save the graph. */
export interface GraphBuildJob {
  buffer: SharedArrayBuffer;
  dimensions: number;
  /** Rows [0, end) of the buffer are valid. */
  end: number;
  slots: Uint32Array;
  /** The graph's dimension asked for; below `dimensions` the rows are projected first (if they spread at all). */
  graphDimensions: number;
  config: Omit<IndexConfig, 'multi'>;
  threads: number;
  file: string;
}

export interface GraphBuildResult {
  file: string;
  count: number;
  end: number;
  buildMs: number;
  /** Of buildMs, fitting the projection (0 without one). */
  fitMs: number;
  /** The process's peak resident set while the worker built (bytes). */
  peakRss: number;
  projection?: GraphProjection;
  /** The graph's dimension (the templates' own when the worker did not project them). */
  graphDimensions: number;
}

/** A built graph mapped into this thread, over the slots [0, end) that were live when it started. */
export interface BuiltGraph {
  index: Index;
  end: number;
  count: number;
  buildMs: number;
  fitMs: number;
  /** How long mapping the saved graph held this thread. */
  swapMs: number;
  peakRss: number;
  /** Queries are projected by this before the graph walk (absent: the graph is in the templates' space). */
  projection?: GraphProjection;
}

export interface HnswParams {
  /** M: links per node (2·M on the bottom layer). */
  connectivity: number;
  /** efConstruction. */
  expansionAdd: number;
  /** efSearch. */
  expansionSearch: number;
  /** How the graph stores its vectors (the f32 rows stay in the TemplateStore for re-ranking). */
  quantization: ScalarKind;
  /** Graph hits re-scored on the exact f32 rows per search. */
  rerank: number;
  /**
   * Dimension of the graph's space: templates of more dimensions are projected onto their leading
   * principal directions for the graph (0, or at least the templates' own: no projection).
   */
  graphDimensions: number;
}

/**
 * HNSW parameters hub and edge use, chosen with `npm run bench:watchlist` (see the README's Watchlist
 * benchmark): templates of more than 64 dimensions are projected onto their 64 leading principal
 * directions for the graph, which stores them as 8-bit vectors; the best 64 graph hits are re-ranked
 * on the exact f32 rows. At 1 000 000 512-d templates this built in 265 s on 2 cores and answered with
 * recall@1 0.996 at p99 1.2 ms, where the graph over the full 512-d rows took 855 s for recall 0.944.
 */
export const HNSW_PARAMS: Readonly<HnswParams> = {
  connectivity: 24,
  expansionAdd: 96,
  expansionSearch: 64,
  quantization: ScalarKind.I8,
  rerank: 64,
  graphDimensions: 64,
};
/**
 * Threads for a graph build. usearch's default (0) takes the host's hardware concurrency, which in a
 * container can be far above the cores it may use: oversubscribed builds ran many times slower.
 */
export const HNSW_BUILD_THREADS = Number(process.env.CG_HNSW_BUILD_THREADS ?? 2);

/** The graph's dimension for templates of `dimensions`. */
export function graphDimensionsOf(dimensions: number, params: HnswParams = HNSW_PARAMS): number {
  return params.graphDimensions > 0 && params.graphDimensions < dimensions ? params.graphDimensions : dimensions;
}

export function hnswConfig(dimensions: number, params: HnswParams = HNSW_PARAMS): Omit<IndexConfig, 'multi'> {
  return {
    dimensions: graphDimensionsOf(dimensions, params),
    metric: MetricKind.Cos,
    quantization: params.quantization,
    connectivity: params.connectivity,
    expansion_add: params.expansionAdd,
    expansion_search: params.expansionSearch,
  };
}

/**
 * Builds the graph of a store's live rows in a worker thread, then maps the saved graph here (memory
 * mapped, read-only: later adds and removals are handled by the caller until the next build).
 */
export async function buildGraphInWorker(
  store: TemplateStore,
  slots: Uint32Array,
  end: number,
  threads = HNSW_BUILD_THREADS,
  params: HnswParams = HNSW_PARAMS,
): Promise<BuiltGraph> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-hnsw-'));
  const job: GraphBuildJob = {
    buffer: store.sharedBuffer,
    dimensions: store.dimensions,
    end,
    slots,
    graphDimensions: graphDimensionsOf(store.dimensions, params),
    config: hnswConfig(store.dimensions, params),
    threads,
    file: join(dir, 'graph.usearch'),
  };
  try {
    const result = await new Promise<GraphBuildResult>((resolve, reject) => {
      const worker = new Worker(new URL('./graph-build.worker.js', import.meta.url), { workerData: job });
      worker.unref();
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`graph build worker exited with code ${code}`)));
    });
    const t0 = performance.now();
    const index = new Index({ ...job.config, dimensions: result.graphDimensions, multi: false });
    index.view(result.file);
    return {
      index,
      end: result.end,
      count: result.count,
      buildMs: result.buildMs,
      fitMs: result.fitMs,
      swapMs: performance.now() - t0,
      peakRss: result.peakRss,
      projection: result.projection,
    };
  } finally {
    // A mapped file stays readable after it is unlinked.
    rmSync(dir, { recursive: true, force: true });
  }
}
