import { Index, MetricKind, ScalarKind } from 'usearch';
import { exactTopK, HNSW_PARAMS } from '../libs/watchlist-match/src/index.js';
import { FacePipeline } from '../libs/face/src/index.js';
import { readFace, singleFacePhotos } from '../libs/face/src/testing/shared-faces.js';

/**
 * npm run bench:watchlist [-- --sizes 100000,1000000 --queries 1000]
 * usearch HNSW (the parameters hub and edge use) over random 512-d unit vectors: build time, memory,
 * p50/p99 top-1 latency, recall@1 against exact search; then the real 128-d templates of shared/faces.
 */
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const sizes = arg('sizes', '100000,1000000').split(',').map(Number);
const nQueries = Number(arg('queries', '1000'));
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

function run(label: string, data: Float32Array, dims: number, queries: Float32Array[], exactKeys: number[] | null): void {
  const n = data.length / dims;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const index = new Index({ dimensions: dims, metric: MetricKind.Cos, quantization: ScalarKind.F32, connectivity: HNSW_PARAMS.connectivity, expansion_add: HNSW_PARAMS.expansionAdd, expansion_search: HNSW_PARAMS.expansionSearch, multi: false });
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  index.add(keys, data, 0);
  const buildS = (performance.now() - t0) / 1000;
  const lat: number[] = [];
  let hits = 0;
  queries.forEach((q, i) => {
    const t = performance.now();
    const m = index.search(q, 1, 1);
    lat.push(performance.now() - t);
    const want = exactKeys ? exactKeys[i] : null;
    if (want !== null && Number(m.keys[0]) === want) hits++;
  });
  console.log(
    `${label.padEnd(28)} n=${String(n).padStart(8)} build ${buildS.toFixed(1)} s, index ≈ ${((process.memoryUsage().rss - rss0) / 1048576).toFixed(0)} MB (rss ${mb()} MB), ` +
      `top-1 p50 ${pct(lat, 0.5).toFixed(3)} ms p99 ${pct(lat, 0.99).toFixed(3)} ms, recall@1 ${exactKeys ? (hits / queries.length).toFixed(4) : 'n/a'}`,
  );
}

/** Exact top-1 for each query by brute force (the reference), using the shared exact scan. */
function exact(data: Float32Array, dims: number, queries: Float32Array[]): number[] {
  const n = data.length / dims;
  const rows: [number, Float32Array][] = Array.from({ length: n }, (_, i) => [i, data.subarray(i * dims, (i + 1) * dims)]);
  return queries.map((q) => exactTopK(rows, q, 1)[0]!.key);
}

async function main(): Promise<void> {
  console.log(`usearch HNSW M=${HNSW_PARAMS.connectivity} efConstruction=${HNSW_PARAMS.expansionAdd} efSearch=${HNSW_PARAMS.expansionSearch}, cos, f32; 1 search thread`);
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
    run(`random 512-d`, data, DIMS, queries, truth);
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
  const truth = probes.map((p) => gallery.findIndex((g) => ok[g]!.id === p.id));
  run('shared/faces 128-d (1 per id)', flat, 128, probes.map((p) => p.v!), truth);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
