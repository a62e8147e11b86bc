import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactSearch, Index, MetricKind, ScalarKind } from 'usearch';
import { HNSW_BUILD_THREADS, HNSW_PARAMS } from '../libs/watchlist-match/src/index.js';
import { FacePipeline } from '../libs/face/src/index.js';
import { readFace, singleFacePhotos } from '../libs/face/src/testing/shared-faces.js';

/**
 * npm run bench:watchlist [-- --sizes 100000,1000000 --queries 1000 --ef-search 128,256 --threads 2]
 * usearch HNSW (the parameters hub and edge use) over random 512-d unit vectors: build time (one batched
 * add on --threads threads), memory, p50/p99 single-query top-1 latency (1 thread) and recall@1 against
 * exact search (usearch's native brute force); the built graph is also searched with the other
 * --ef-search widths (saved once, viewed with each). Then the real 128-d templates of shared/faces.
 */
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const sizes = arg('sizes', '100000,1000000').split(',').map(Number);
const nQueries = Number(arg('queries', '1000'));
const efWidths = arg('ef-search', '128,256').split(',').map(Number).filter((e) => e !== HNSW_PARAMS.expansionSearch);
const threads = Number(arg('threads', String(HNSW_BUILD_THREADS)));
const DIMS = 512;

let seed = 12345;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
};
function unitVectors(n: number, dims: number): Float32Array {
  const out = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += (out[i * dims + d] = rnd()) ** 2;
    norm = Math.sqrt(norm);
    for (let d = 0; d < dims; d++) out[i * dims + d]! /= norm;
  }
  return out;
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const mb = () => (process.memoryUsage().rss / 1048576).toFixed(0);

const newIndex = (dims: number, expansionSearch: number = HNSW_PARAMS.expansionSearch) =>
  new Index({ dimensions: dims, metric: MetricKind.Cos, quantization: ScalarKind.F32, connectivity: HNSW_PARAMS.connectivity, expansion_add: HNSW_PARAMS.expansionAdd, expansion_search: expansionSearch, multi: false });

/** p50/p99 of one query at a time (what a gate event costs) and recall@1 against the exact keys. */
function measure(index: Index, queries: Float32Array[], exactKeys: bigint[] | null): string {
  const lat: number[] = [];
  let hits = 0;
  queries.forEach((q, i) => {
    const t = performance.now();
    const m = index.search(q, 1, 1);
    lat.push(performance.now() - t);
    if (exactKeys && m.keys[0] === exactKeys[i]) hits++;
  });
  return `top-1 p50 ${pct(lat, 0.5).toFixed(3)} ms p99 ${pct(lat, 0.99).toFixed(3)} ms, recall@1 ${exactKeys ? (hits / queries.length).toFixed(4) : 'n/a'}`;
}

function run(label: string, data: Float32Array, dims: number, queries: Float32Array[], exactKeys: bigint[] | null, widths: number[] = []): void {
  const n = data.length / dims;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const index = newIndex(dims);
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  index.add(keys, data, threads);
  const buildS = (performance.now() - t0) / 1000;
  const memMb = ((process.memoryUsage().rss - rss0) / 1048576).toFixed(0);
  console.log(`${label.padEnd(28)} n=${String(n).padStart(8)} build ${buildS.toFixed(1)} s (${threads} threads), index ≈ ${memMb} MB (rss ${mb()} MB), efSearch ${HNSW_PARAMS.expansionSearch}: ${measure(index, queries, exactKeys)}`);
  if (!widths.length) return;
  // Same graph, other search widths: usearch takes expansion_search from the Index that views the file.
  const dir = mkdtempSync(join(tmpdir(), 'cg-hnsw-'));
  try {
    index.save(join(dir, 'g.usearch'));
    for (const ef of widths) {
      const v = newIndex(dims, ef);
      v.view(join(dir, 'g.usearch'));
      console.log(`${''.padEnd(28)} n=${String(n).padStart(8)} same graph, efSearch ${ef}: ${measure(v, queries, exactKeys)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Exact top-1 for each query (the reference): usearch's brute-force cosine scan. */
function exact(data: Float32Array, dims: number, queries: Float32Array[]): bigint[] {
  const flat = new Float32Array(queries.length * dims);
  queries.forEach((q, i) => flat.set(q, i * dims));
  const r = exactSearch(data, flat, dims, 1, MetricKind.Cos, threads);
  return Array.from(r.keys as BigUint64Array);
}

async function main(): Promise<void> {
  console.log(`usearch HNSW M=${HNSW_PARAMS.connectivity} efConstruction=${HNSW_PARAMS.expansionAdd} efSearch=${HNSW_PARAMS.expansionSearch}, cos, f32; build on ${threads} threads, 1 search thread`);
  for (const n of sizes) {
    const data = unitVectors(n, DIMS);
    // Queries: noisy copies of stored vectors (a person seen again), as the gate sends them.
    const queries = Array.from({ length: nQueries }, () => {
      const k = Math.floor(Math.abs(rnd() * 2) * n) % n;
      const q = data.slice(k * DIMS, (k + 1) * DIMS);
      for (let d = 0; d < DIMS; d++) q[d]! += rnd() * 0.04;
      return q;
    });
    const t0 = performance.now();
    const truth = exact(data, DIMS, queries);
    console.log(`exact reference for ${nQueries} queries over ${n}: ${((performance.now() - t0) / nQueries).toFixed(1)} ms/query`);
    run(`random 512-d`, data, DIMS, queries, truth, efWidths);
    if (global.gc) global.gc();
  }
  // Real templates (128-d) from shared/faces: one per photo; queries are the other photos of each identity.
  const faces = await FacePipeline.create({ liveness: false });
  const photos = singleFacePhotos();
  const vecs = (await faces.embedMany(photos.map(readFace))).map((v, i) => ({ v, id: photos[i]!.split('/')[0]! }));
  await faces.dispose();
  const ok = vecs.filter((x) => x.v);
  const first = new Map<string, number>();
  ok.forEach((x, i) => first.has(x.id) || first.set(x.id, i));
  const gallery = [...first.values()];
  const flat = new Float32Array(gallery.length * 128);
  gallery.forEach((g, i) => flat.set(ok[g]!.v!, i * 128));
  const probes = ok.filter((_, i) => !gallery.includes(i));
  const truth = probes.map((p) => BigInt(gallery.findIndex((g) => ok[g]!.id === p.id)));
  run('shared/faces 128-d (1 per id)', flat, 128, probes.map((p) => p.v!), truth);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
