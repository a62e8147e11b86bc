import { parentPort, workerData } from 'node:worker_threads';
import { Index } from 'usearch';
import type { GraphBuildJob, GraphBuildResult } from './graph-builder.js';
import { fitProjection, gramJs, projectOne, type GraphProjection } from './graph-projection.js';
import { loadTfLinear } from './tf-linear.js';

/**
 * Worker thread: builds the usearch HNSW graph over the given live rows of a TemplateStore's shared
 * buffer (keys = slot numbers) and saves it to `job.file`; the main thread then maps the file. With a
 * graph dimension below the templates' own, it first fits the PCA projection on the rows and builds
 * the graph over the projected rows. Runs off the hub's and edge's event loop, on `job.threads` native
 * threads (and this thread for the projection).
 */
const job = workerData as GraphBuildJob;
const t0 = performance.now();
const d = job.dimensions;
const rows = new Float32Array(job.buffer, 0, job.end * d);
let projection: GraphProjection | undefined;
let project: ((block: Float32Array, n: number) => Float32Array) | undefined;
if (job.graphDimensions > 0 && job.graphDimensions < d) {
  // TF.js' wasm kernels when they load, else the same products in plain JavaScript (≈ 15× slower).
  const tf = await loadTfLinear().catch(() => null);
  const p = fitProjection(rows, d, job.slots, job.graphDimensions, tf ? (x, n, dd) => tf.gram(x, n, dd) : gramJs);
  // A list without spread (every template the same) has no directions to keep: no projection.
  if (p.explained > 0) {
    projection = p;
    project = tf
      ? (block, n) => tf.project(p, block, n)
      : (block, n) => {
          const out = new Float32Array(n * p.to);
          for (let i = 0; i < n; i++) projectOne(p, block.subarray(i * d, (i + 1) * d), out.subarray(i * p.to, (i + 1) * p.to));
          return out;
        };
  }
}
const fitMs = performance.now() - t0;
const graphDimensions = projection ? projection.to : d;
const index = new Index({ ...job.config, dimensions: graphDimensions, multi: false });
const CHUNK = 16384;
const block = new Float32Array(CHUNK * d);
let peakRss = process.memoryUsage().rss;
for (let at = 0; at < job.slots.length; at += CHUNK) {
  const part = job.slots.subarray(at, at + CHUNK);
  const keys = new BigUint64Array(part.length);
  part.forEach((slot, i) => {
    keys[i] = BigInt(slot);
    block.set(rows.subarray(slot * d, (slot + 1) * d), i * d);
  });
  const vectors = project ? project(block, part.length) : block.subarray(0, part.length * d);
  index.add(keys, vectors, job.threads);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
index.save(job.file);
const result: GraphBuildResult = {
  file: job.file,
  count: job.slots.length,
  end: job.end,
  buildMs: performance.now() - t0,
  fitMs,
  peakRss,
  projection,
  graphDimensions,
};
parentPort!.postMessage(result);
