import { parentPort, workerData } from 'node:worker_threads';
import { Index } from 'usearch';
import type { GraphBuildJob, GraphBuildResult } from './graph-builder.js';

/**
 * Worker thread: builds the usearch HNSW graph over the given live rows of a TemplateStore's shared
 * buffer (keys = slot numbers) and saves it to `job.file`; the main thread then maps the file. Runs off
 * the hub's and edge's event loop, on `job.threads` native threads.
 */
const job = workerData as GraphBuildJob;
const t0 = performance.now();
const rows = new Float32Array(job.buffer, 0, job.end * job.dimensions);
const index = new Index({ ...job.config, multi: false });
const CHUNK = 16384;
const block = new Float32Array(CHUNK * job.dimensions);
let peakRss = process.memoryUsage().rss;
for (let at = 0; at < job.slots.length; at += CHUNK) {
  const part = job.slots.subarray(at, at + CHUNK);
  const keys = new BigUint64Array(part.length);
  part.forEach((slot, i) => {
    keys[i] = BigInt(slot);
    block.set(rows.subarray(slot * job.dimensions, (slot + 1) * job.dimensions), i * job.dimensions);
  });
  index.add(keys, block.subarray(0, part.length * job.dimensions), job.threads);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
index.save(job.file);
const result: GraphBuildResult = { file: job.file, count: job.slots.length, end: job.end, buildMs: performance.now() - t0, peakRss };
parentPort!.postMessage(result);
