import { readdirSync } from 'node:fs';
import { exactSearch, MetricKind, ScalarKind } from 'usearch';
import { FaceIndex, HNSW_BUILD_THREADS, HNSW_PARAMS, type GraphInfo, type HnswParams } from '../libs/watchlist-match/src/index.js';
import { EventLoopGapMeter } from '../libs/watchlist-match/src/testing/event-loop-gap.js';
import { FacePipeline } from '../libs/face/src/index.js';
import { extrasDir, readExtra, readFace, singleFacePhotos } from '../libs/face/src/testing/shared-faces.js';
import { fitStructure, makeTemplates, measureSet, type RealTemplate, type ScoreStats, type Structure } from './face-templates.js';

/**
 * npm run bench:watchlist [-- --sizes 100000,1000000 --dims 512,128 --queries 1000]
 *   [--m 24 --ef-add 96 --ef-search 64 --quant i8|f16|f32 --rerank 64 --graph-dims 64 (0: no projection) --threads 2]
 *   [--candidates 32,64,128: search with each of these re-rank widths after one build]
 * The hub's and edge's FaceIndex over watchlists made by bench/face-templates.ts (distinct people whose
 * scores follow the real ../shared templates' genuine and impostor distributions, plus those real
 * people with their second photos as probes): generation, load, background graph build in a worker
 * (time, peak memory, how long the swap held the event loop and the longest event-loop stall during
 * the build), the exact scan's latency while the graph is not ready, then p50/p99 single-query top-1
 * latency and recall@1 against an exact scan (usearch's native brute force). The embedder of each
 * dimension (512-d ArcFace-style, 128-d dlib) makes the real templates of that dimension.
 */
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const sizes = arg('sizes', '1000000').split(',').map(Number);
const dimsList = arg('dims', '512,128').split(',').map(Number);
const nQueries = Number(arg('queries', '1000'));
const threads = Number(arg('threads', String(HNSW_BUILD_THREADS)));
const quantOf: Record<string, ScalarKind> = { i8: ScalarKind.I8, f16: ScalarKind.F16, f32: ScalarKind.F32 };
const params: HnswParams = {
  connectivity: Number(arg('m', String(HNSW_PARAMS.connectivity))),
  expansionAdd: Number(arg('ef-add', String(HNSW_PARAMS.expansionAdd))),
  expansionSearch: Number(arg('ef-search', String(HNSW_PARAMS.expansionSearch))),
  quantization: quantOf[arg('quant', '')] ?? HNSW_PARAMS.quantization,
  rerank: Number(arg('rerank', String(HNSW_PARAMS.rerank))),
  graphDimensions: Number(arg('graph-dims', String(HNSW_PARAMS.graphDimensions))),
};
/** Graph hits re-ranked per search, one measurement each (a walk looks at no fewer: it also widens the walk). */
const candidates = arg('candidates', String(params.rerank)).split(',').map(Number);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;
const fmt = (s: ScoreStats) =>
  `mean ${s.mean.toFixed(3)} sd ${s.sd.toFixed(3)} p99 ${s.p99.toFixed(3)} p99.9 ${s.p999.toFixed(3)} max ${s.max.toFixed(3)} (${s.pairs} pairs)`;

/** Templates of every photo in ../shared faces/ and faces-extras/singles/ by each embedder, by dimension. */
async function realTemplates(): Promise<Map<number, { model: string; rows: RealTemplate[] }>> {
  const photos = singleFacePhotos();
  const singles = readdirSync(`${extrasDir()}/singles`).filter((f) => f.endsWith('.jpg'));
  const buffers = [...photos.map(readFace), ...singles.map((f) => readExtra(`singles/${f}`))];
  const ids = [...photos.map((p) => p.split('/')[0]!), ...singles.map((f) => `single:${f}`)];
  const out = new Map<number, { model: string; rows: RealTemplate[] }>();
  for (const model of ['face-embedder-arcface', 'face-embedder']) {
    const faces = await FacePipeline.create({ liveness: false, models: { embed: model } }).catch(() => null);
    if (!faces) continue;
    try {
      const vecs = await faces.embedMany(buffers);
      const rows = vecs.flatMap((v, i) => (v ? [{ id: ids[i]!, v }] : []));
      if (rows.length) out.set(rows[0]!.v.length, { model, rows });
    } finally {
      await faces.dispose();
    }
  }
  return out;
}

async function run(st: Structure, n: number): Promise<void> {
  const d = st.dims;
  let t = performance.now();
  const set = makeTemplates(st, n, nQueries, n + d);
  const genS = (performance.now() - t) / 1000;
  const m = measureSet(set, 200_000, 1);
  console.log(
    `${String(d).padStart(3)}-d n=${n}: generated in ${genS.toFixed(0)} s; ${set.realPeople} real people, ${set.realProbes} real probes`,
  );
  console.log(`       synthetic genuine  ${fmt(m.genuine)}`);
  console.log(`       synthetic impostor ${fmt(m.impostor)}`);
  t = performance.now();
  // In slices of probes: usearch's brute force holds a distance per (probe, template) pair, which for
  // 1 000 probes × 1 000 000 templates at once was 16 GB of the benchmark's peak.
  const truth = new BigUint64Array(nQueries);
  for (let j = 0; j < nQueries; j += 100) {
    // A copy, not a view: the native call reads the typed array's whole buffer from its start.
    const part = set.probes.slice(j * d, Math.min(nQueries, j + 100) * d);
    truth.set((exactSearch(set.gallery, part, d, 1, MetricKind.Cos, threads).keys as BigUint64Array).subarray(0, part.length / d), j);
  }
  const exactRefMs = (performance.now() - t) / nQueries;
  let own = 0;
  truth.forEach((k, j) => (Number(k) === set.probeOwner[j] ? own++ : 0));

  const graphs: GraphInfo[] = [];
  // The build starts with the last template (the hub's threshold is 4 096; here the full list is timed).
  const index = new FaceIndex({ dimensions: d, exactBelow: n, buildThreads: threads, graph: params, onGraph: (g) => graphs.push(g) });
  const rss0 = process.memoryUsage().rss;
  t = performance.now();
  index.reserve(n);
  for (let i = 0; i < n; i++) index.add(i, set.gallery.subarray(i * d, (i + 1) * d));
  const loadS = (performance.now() - t) / 1000;
  // Meanwhile the exact scan answers.
  const tBuild = performance.now();
  const during: number[] = [];
  for (let j = 0; j < 3 && index.building; j++) {
    const s = performance.now();
    index.search(set.probes.subarray(j * d, (j + 1) * d), 1);
    during.push(performance.now() - s);
  }
  // The loop is timed from after those scans (each holds it for the scan's length).
  const gapMeter = new EventLoopGapMeter(10).start();
  await index.settled();
  const maxGap = gapMeter.stop();
  const wallS = (performance.now() - tBuild) / 1000;
  const g = graphs[graphs.length - 1];
  if (!g || !g.ok || g.templates !== n) throw new Error(`no full graph: ${JSON.stringify(g)}`);

  console.log(
    `       exact reference ${exactRefMs.toFixed(1)} ms/query; the probe's own person is the exact top-1 for ${((own / nQueries) * 100).toFixed(1)} % ` +
      `(loaded into the index in ${loadS.toFixed(1)} s)`,
  );
  console.log(
    `       graph build ${(g.buildMs / 1000).toFixed(1)} s in a worker on ${threads} threads (wall ${wallS.toFixed(1)} s; ` +
      (g.graphDimensions < d
        ? `PCA to ${g.graphDimensions}-d keeping ${(g.explainedVariance * 100).toFixed(0)} % of the variance, fitted in ${(g.fitMs / 1000).toFixed(1)} s), `
        : 'no projection), ') +
      `swap-in held the loop ${g.swapMs.toFixed(0)} ms, ` +
      `longest event-loop stall during the build ${maxGap.toFixed(0)} ms; exact scan while building ${during.length ? `${pct(during, 0.5).toFixed(0)} ms/query` : 'n/a'}`,
  );
  console.log(
    `       memory: peak rss ${mb(peakRss())} (process, generator included; during the build ${mb(g.peakRssBytes)}), ` +
      `rss growth from load to swap ${mb(process.memoryUsage().rss - rss0)} (f32 rows ${mb(n * d * 4)})`,
  );
  for (const c of candidates) {
    // Two passes over the probes: the first after the swap also pays for mapping the graph's pages in.
    const passes: number[][] = [];
    let hits = 0;
    let realHits = 0;
    for (let pass = 0; pass < 2; pass++) {
      const lat: number[] = [];
      for (let j = 0; j < nQueries; j++) {
        const s = performance.now();
        const r = index.search(set.probes.subarray(j * d, (j + 1) * d), 1, c)[0]!;
        lat.push(performance.now() - s);
        if (pass === 0 && BigInt(r.key) === truth[j]) {
          hits++;
          if (j < set.realProbes) realHits++;
        }
      }
      passes.push(lat);
    }
    const [first, lat] = passes as [number[], number[]];
    console.log(
      `       top-1 with ${c} candidates (efSearch ${Math.max(c, params.expansionSearch)}): p50 ${pct(lat, 0.5).toFixed(3)} ms p99 ${pct(lat, 0.99).toFixed(3)} ms ` +
        `(first pass p50 ${pct(first, 0.5).toFixed(3)} p99 ${pct(first, 0.99).toFixed(3)} ms), ` +
        `recall@1 ${(hits / nQueries).toFixed(4)} (${nQueries} probes; ${realHits}/${set.realProbes} of the real ones)`,
    );
  }
  index.clear();
}

async function main(): Promise<void> {
  console.log(
    `FaceIndex: usearch HNSW M=${params.connectivity} efConstruction=${params.expansionAdd} efSearch=${params.expansionSearch}, ` +
      `cos, ${params.quantization} graph` +
      (params.graphDimensions > 0 ? ` in at most ${params.graphDimensions} PCA dimensions` : '') +
      `, top-${params.rerank} re-ranked on f32 rows; build on ${threads} threads, 1 search thread`,
  );
  const real = await realTemplates();
  for (const d of dimsList) {
    const r = real.get(d);
    if (!r) throw new Error(`no installed embedder makes ${d}-d templates (have ${[...real.keys()].join(', ')})`);
    const st = fitStructure(
      r.rows,
      `${r.rows.length} real ${r.model} templates of ${new Set(r.rows.map((x) => x.id)).size} people (../shared)`,
    );
    console.log(`${d}-d: fitted on ${st.source}`);
    console.log(`       real genuine  ${fmt(st.genuine)}`);
    console.log(`       real impostor ${fmt(st.impostor)}`);
    console.log(
      `       → common direction ${st.common.toFixed(3)}, ${(st.beta * 100).toFixed(0)} % of the variance along the real ${st.basis.length} principal directions, the rest isotropic; ` +
        `sample quality ${st.quality.mean.toFixed(3)} ± ${st.quality.sd.toFixed(3)}`,
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
