import { readdirSync } from 'node:fs';
import { exactSearch, MetricKind } from 'usearch';
import { FaceIndex, HNSW_BUILD_THREADS, HNSW_PARAMS, type GraphInfo } from '../libs/watchlist-match/src/index.js';
import { FacePipeline } from '../libs/face/src/index.js';
import { extrasDir, readExtra, readFace, singleFacePhotos } from '../libs/face/src/testing/shared-faces.js';
import { makeTemplates, seed, structureFromReal, syntheticStructure, type Structure } from './face-templates.js';

/**
 * npm run bench:watchlist [-- --sizes 100000,1000000 --dims 512,128 --queries 1000]
 * The hub's and edge's FaceIndex over watchlists made by bench/face-templates.ts (people clustered
 * around real face templates of ../shared, or around random centres for a dimension the installed
 * embedder does not produce): load, background graph build in a worker (time, memory, how long the
 * swap held the event loop and the longest event-loop stall during the build (exact scans excluded)), the exact scan's
 * latency while the graph is not ready, then p50/p99 single-query top-1 latency and recall@1 against
 * an exact scan (usearch's native brute force).
 */
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const sizes = arg('sizes', '1000000').split(',').map(Number);
const dimsList = arg('dims', '512,128').split(',').map(Number);
const nQueries = Number(arg('queries', '1000'));

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

/** Templates of every photo in ../shared faces/ and faces-extras/singles/, with their identity. */
async function realTemplates(): Promise<{ id: string; v: Float32Array }[]> {
  const faces = await FacePipeline.create({ liveness: false });
  try {
    const photos = singleFacePhotos();
    const singles = readdirSync(`${extrasDir()}/singles`).filter((f) => f.endsWith('.jpg'));
    const buffers = [...photos.map(readFace), ...singles.map((f) => readExtra(`singles/${f}`))];
    const ids = [...photos.map((p) => p.split('/')[0]!), ...singles.map((f) => `single:${f}`)];
    const vecs = await faces.embedMany(buffers);
    return vecs.flatMap((v, i) => (v ? [{ id: ids[i]!, v }] : []));
  } finally {
    await faces.dispose();
  }
}

async function run(st: Structure, n: number): Promise<void> {
  seed(n + st.dims);
  const d = st.dims;
  let t = performance.now();
  const set = makeTemplates(st, n, nQueries);
  const genS = (performance.now() - t) / 1000;
  t = performance.now();
  const truth = exactSearch(set.gallery, set.probes, d, 1, MetricKind.Cos, HNSW_BUILD_THREADS).keys as BigUint64Array;
  const exactRefMs = (performance.now() - t) / nQueries;
  let own = 0;
  truth.forEach((k, j) => (Number(k) === set.probeOwner[j] ? own++ : 0));

  const graphs: GraphInfo[] = [];
  // The build starts with the last template (the hub's threshold is 4 096; here the full list is timed).
  const index = new FaceIndex({ dimensions: d, exactBelow: n, onGraph: (g) => graphs.push(g) });
  const rss0 = process.memoryUsage().rss;
  t = performance.now();
  index.reserve(n);
  for (let i = 0; i < n; i++) index.add(i, set.gallery.subarray(i * d, (i + 1) * d));
  const loadS = (performance.now() - t) / 1000;
  // Meanwhile: the exact scan answers, and the event loop is timed.
  const tBuild = performance.now();
  let maxGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 10);
  const during: number[] = [];
  for (let j = 0; j < 5 && index.building; j++) {
    const s = performance.now();
    index.search(set.probes.subarray(j * d, (j + 1) * d), 1);
    during.push(performance.now() - s);
    await new Promise((r) => setTimeout(r, 500));
    last = performance.now();
  }
  await index.settled();
  clearInterval(timer);
  const wallS = (performance.now() - tBuild) / 1000;
  const g = graphs[graphs.length - 1];
  if (!g || !g.ok || g.templates !== n) throw new Error(`no full graph: ${JSON.stringify(g)}`);

  const lat: number[] = [];
  let hits = 0;
  for (let j = 0; j < nQueries; j++) {
    const s = performance.now();
    const r = index.search(set.probes.subarray(j * d, (j + 1) * d), 1)[0]!;
    lat.push(performance.now() - s);
    if (BigInt(r.key) === truth[j]) hits++;
  }
  console.log(
    `${String(d).padStart(3)}-d n=${n}: generated ${genS.toFixed(0)} s, loaded ${loadS.toFixed(1)} s; exact reference ${exactRefMs.toFixed(1)} ms/query, ` +
      `probe's own person is the exact top-1 for ${((own / nQueries) * 100).toFixed(1)} %`,
  );
  console.log(
    `       graph build ${(g.buildMs / 1000).toFixed(1)} s in a worker on ${HNSW_BUILD_THREADS} threads (wall ${wallS.toFixed(1)} s), swap-in held the loop ${g.swapMs.toFixed(0)} ms, ` +
      `longest event-loop stall during the build (exact scans excluded) ${maxGap.toFixed(0)} ms; exact scan while building ${during.length ? `${pct(during, 0.5).toFixed(0)} ms/query` : 'n/a'}`,
  );
  console.log(
    `       memory: peak rss ${mb(g.peakRssBytes)}, index (rows + graph) ≈ ${mb(process.memoryUsage().rss - rss0)}; ` +
      `top-1 p50 ${pct(lat, 0.5).toFixed(3)} ms p99 ${pct(lat, 0.99).toFixed(3)} ms, recall@1 ${(hits / nQueries).toFixed(4)} (${nQueries} probes)`,
  );
}

async function main(): Promise<void> {
  console.log(
    `FaceIndex: usearch HNSW M=${HNSW_PARAMS.connectivity} efConstruction=${HNSW_PARAMS.expansionAdd} efSearch=${HNSW_PARAMS.expansionSearch}, ` +
      `cos, ${HNSW_PARAMS.quantization} graph, top-${HNSW_PARAMS.rerank} re-ranked on f32 rows; 1 search thread`,
  );
  const real = await realTemplates();
  const realDims = real[0]!.v.length;
  for (const d of dimsList) {
    const st = d === realDims ? structureFromReal(real, `${real.length} real templates of ${new Set(real.map((r) => r.id)).size} people (../shared)`) : syntheticStructure(d, 4096);
    console.log(
      `${d}-d people clustered around ${st.seeds.length} seeds: ${st.source}; genuine cos ${st.genuineCos.toFixed(3)}, ` +
        `two people of one cluster cos ${st.closeImpostorCos.toFixed(3)}${st.basis.length ? `, noise 80 % along the real templates' ${st.basis.length} principal directions` : ''}`,
    );
    for (const n of sizes) {
      await run(st, n);
      global.gc?.();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
