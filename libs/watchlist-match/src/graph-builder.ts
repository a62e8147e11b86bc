import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Index, MetricKind, ScalarKind, type IndexConfig } from 'usearch';
import type { TemplateStore } from './template-store.js';

/** What the worker is given: the rows to index and where to save the graph. */
export interface GraphBuildJob {
  buffer: SharedArrayBuffer;
  dimensions: number;
  /** Rows [0, end) of the buffer are valid. */
  end: number;
  slots: Uint32Array;
  config: Omit<IndexConfig, 'multi'>;
  threads: number;
  file: string;
}

export interface GraphBuildResult {
  file: string;
  count: number;
  end: number;
  buildMs: number;
  /** The process's peak resident set while the worker built (bytes). */
  peakRss: number;
}

/** A built graph mapped into this thread, over the slots [0, end) that were live when it started. */
export interface BuiltGraph {
  index: Index;
  end: number;
  count: number;
  buildMs: number;
  /** How long mapping the saved graph held this thread. */
  swapMs: number;
  peakRss: number;
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
}

/**
 * HNSW parameters hub and edge use, chosen with `npm run bench:watchlist` (see the README's Watchlist
 * benchmark): the graph stores 8-bit quantised vectors (4× less memory and a faster build than f32),
 * and the best graph hits are re-ranked with the exact f32 rows.
 */
export const HNSW_PARAMS: Readonly<HnswParams> = { connectivity: 24, expansionAdd: 64, expansionSearch: 160, quantization: ScalarKind.I8, rerank: 8 };
/**
 * Threads for a graph build. usearch's default (0) takes the host's hardware concurrency, which in a
 * container can be far above the cores it may use: oversubscribed builds ran many times slower.
 */
export const HNSW_BUILD_THREADS = Number(process.env.CG_HNSW_BUILD_THREADS ?? 2);

export function hnswConfig(dimensions: number, params: HnswParams = HNSW_PARAMS): Omit<IndexConfig, 'multi'> {
  return {
    dimensions,
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
    const index = new Index({ ...job.config, multi: false });
    index.view(result.file);
    return { index, end: result.end, count: result.count, buildMs: result.buildMs, swapMs: performance.now() - t0, peakRss: result.peakRss };
  } finally {
    // A mapped file stays readable after it is unlinked.
    rmSync(dir, { recursive: true, force: true });
  }
}
