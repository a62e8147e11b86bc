/**
 * Watchlist-sized template sets for `bench:watchlist`: distinct people whose scores are distributed like
 * real face embeddings' scores.
 *
 * - Real people first: the embedder's own templates of the ../shared photos. A person's first photo is
 *   their gallery template; every further photo of them is a probe (a real second photo).
 * - Synthetic people: every person is their own centre x, a unit vector drawn from one fixed
 *   distribution: a small share along the real templates' mean direction (the real mean impostor score), a share `beta` of the
 *   variance along the real templates' principal directions (in proportion to the real variance along
 *   each) and the rest isotropic. Real embeddings use their dimensions unevenly, so two people score
 *   with a wider spread than uniform points on the sphere would; beta is set so that the synthetic
 *   impostor spread equals the one measured on the real templates (and, sharing the real directions,
 *   the real people are typical members of the synthetic crowd, not outliers beside it).
 * - A gallery template or a probe of person x is sqrt(q)·x + sqrt(1-q)·h (h an isotropic unit vector
 *   orthogonal to x), so it scores sqrt(q) against x and about sqrt(q1·q2) against another sample of
 *   the same person; the quality q of each sample is drawn so that template↔probe scores follow the
 *   real genuine pairs' mean and spread.
 *
 * Taken from the real templates: the genuine mean and spread, the impostor mean and spread, and the
 * principal directions with their variances. The bench prints the synthetic set's own figures beside
 * the real ones.
 */
import { gaussian, mulberry32, normaliseInPlace } from '../libs/watchlist-match/src/testing/seeded-random.js';

export interface RealTemplate {
  id: string;
  v: Float32Array;
}

export interface ScoreStats {
  pairs: number;
  mean: number;
  sd: number;
  p99: number;
  p999: number;
  max: number;
}

export interface Structure {
  dims: number;
  real: RealTemplate[];
  genuine: ScoreStats;
  impostor: ScoreStats;
  /** Share of the common direction (≈ mean impostor score). */
  common: number;
  /** The real templates' mean direction. */
  commonDirection: Float32Array;
  /** Share of a person's variance along the real principal directions (the rest is isotropic). */
  beta: number;
  /** The real templates' principal directions and each one's share of their variance (sums to 1). */
  basis: Float32Array[];
  weights: number[];
  /** Sample quality q (score of a sample against its person's centre, squared): mean and spread. */
  quality: { mean: number; sd: number };
  source: string;
}

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

export function scoreStats(xs: number[]): ScoreStats {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { pairs: s.length, mean, sd, p99: at(0.99), p999: at(0.999), max: s[s.length - 1]! };
}

/** The `count` leading principal directions of `rows` (power iteration with deflation) and their variance shares. */
function principalDirections(
  rows: Float32Array[],
  count: number,
  g: () => number,
): { mean: Float32Array; basis: Float32Array[]; weights: number[] } {
  const d = rows[0]!.length;
  const mean = new Float32Array(d);
  for (const r of rows) for (let i = 0; i < d; i++) mean[i]! += r[i]! / rows.length;
  const centred = rows.map((r) => r.map((x, i) => x - mean[i]!));
  const basis: Float32Array[] = [];
  for (let c = 0; c < Math.min(count, rows.length - 1); c++) {
    let v = normaliseInPlace(Float32Array.from({ length: d }, g));
    for (let it = 0; it < 60; it++) {
      const next = new Float32Array(d);
      for (const r of centred) {
        const p = dot(r, v);
        for (let i = 0; i < d; i++) next[i]! += p * r[i]!;
      }
      for (const b of basis) {
        const p = dot(next, b);
        for (let i = 0; i < d; i++) next[i]! -= p * b[i]!;
      }
      v = normaliseInPlace(next);
    }
    basis.push(v);
  }
  const variance = basis.map((b) => centred.reduce((a, r) => a + dot(r, b) ** 2, 0));
  const sum = variance.reduce((a, b) => a + b, 0);
  return { mean, basis, weights: variance.map((x) => x / sum) };
}

/** Fits the synthetic distribution to the real templates' genuine and impostor scores. */
export function fitStructure(real: RealTemplate[], source: string): Structure {
  const dims = real[0]!.v.length;
  if (dims & (dims - 1)) throw new Error(`the template generator needs a power-of-two dimension, got ${dims}`);
  const rows = real.map((r) => ({ id: r.id, v: normaliseInPlace(Float32Array.from(r.v)) }));
  const gen: number[] = [];
  const imp: number[] = [];
  for (let i = 0; i < rows.length; i++)
    for (let j = i + 1; j < rows.length; j++) (rows[i]!.id === rows[j]!.id ? gen : imp).push(dot(rows[i]!.v, rows[j]!.v));
  if (gen.length < 10 || imp.length < 100) throw new Error(`too few real pairs to fit (${gen.length} genuine, ${imp.length} impostor)`);
  const genuine = scoreStats(gen);
  const impostor = scoreStats(imp);
  const common = Math.max(0, impostor.mean);
  const { mean, basis, weights } = principalDirections(
    rows.map((r) => r.v),
    32,
    gaussian(mulberry32(1)),
  );
  // Two centres score common + (1 - common)·u1·u2; for unit-trace covariance S, u1·u2 has variance tr(S²):
  // S = beta·P + (1 - beta)·I/d gives beta²·sum(w²) + (2·beta·(1 - beta) + (1 - beta)²)/d.
  const wantVar = (impostor.sd / (1 - common)) ** 2;
  const w2 = weights.reduce((a, w) => a + w * w, 0);
  const varOf = (beta: number) => beta * beta * w2 + (2 * beta * (1 - beta) + (1 - beta) ** 2) / dims;
  let lo = 0;
  let hi = 1;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (varOf(mid) < wantVar) lo = mid;
    else hi = mid;
  }
  const beta = (lo + hi) / 2;
  // Template↔probe ≈ sqrt(q1 q2) + sqrt((1-q1)(1-q2))·h1·h2: the second term adds ≈ (1-q)/sqrt(d) of spread.
  const extra = (1 - genuine.mean) / Math.sqrt(dims);
  const qSd = Math.sqrt(2 * Math.max(0, genuine.sd ** 2 - extra ** 2));
  return {
    dims,
    real: rows,
    genuine,
    impostor,
    common,
    commonDirection: normaliseInPlace(mean),
    beta,
    basis,
    weights,
    quality: { mean: genuine.mean, sd: qSd },
    source,
  };
}

export interface TemplateSet {
  dims: number;
  /** n×dims gallery, one template per person (row = person); the real people come first. */
  gallery: Float32Array;
  /** q×dims probes; the real second photos come first. */
  probes: Float32Array;
  probeOwner: Uint32Array;
  realPeople: number;
  realProbes: number;
}

/** `n` people (one gallery template each) and `q` probes, the same for the same seed. */
export function makeTemplates(st: Structure, n: number, q: number, seed: number): TemplateSet {
  const d = st.dims;
  const rnd = mulberry32(seed);
  const g = gaussian(rnd);
  const iso = Math.sqrt((1 - st.beta) / d);
  const along = st.weights.map((w) => Math.sqrt(st.beta * w));
  const common = st.commonDirection;
  const gallery = new Float32Array(n * d);
  const probes = new Float32Array(q * d);
  const probeOwner = new Uint32Array(q);

  // Real people: first photo enrolled, the others are their probes.
  const byId = new Map<string, Float32Array[]>();
  for (const r of st.real) byId.set(r.id, [...(byId.get(r.id) ?? []), r.v]);
  let person = 0;
  let p = 0;
  for (const photos of byId.values()) {
    if (person >= n) break;
    gallery.set(photos[0]!, person * d);
    for (const extra of photos.slice(1))
      if (p < q) {
        probes.set(extra, p * d);
        probeOwner[p++] = person;
      }
    person++;
  }
  const realPeople = person;
  const realProbes = p;

  // Synthetic probes go to random synthetic people, made when that person is.
  const owners = new Map<number, number[]>();
  for (; p < q; p++) {
    const who = realPeople + Math.floor(rnd() * (n - realPeople));
    probeOwner[p] = who;
    owners.set(who, [...(owners.get(who) ?? []), p]);
  }
  /** A person's direction: isotropic share plus the share along the real principal directions. */
  const drawPerson = (out: Float32Array) => {
    for (let i = 0; i < d; i++) out[i] = iso * g();
    st.basis.forEach((b, j) => {
      const z = along[j]! * g();
      for (let i = 0; i < d; i++) out[i]! += z * b[i]!;
    });
    return normaliseInPlace(out);
  };
  const quality = () => Math.min(0.99, Math.max(0.2, st.quality.mean + st.quality.sd * g()));
  const x = new Float32Array(d);
  const h = new Float32Array(d);
  const sample = (out: Float32Array) => {
    for (let i = 0; i < d; i++) h[i] = g();
    const onX = dot(h, x);
    for (let i = 0; i < d; i++) h[i]! -= onX * x[i]!;
    normaliseInPlace(h);
    const qq = quality();
    const a = Math.sqrt(qq);
    const b = Math.sqrt(1 - qq);
    for (let i = 0; i < d; i++) out[i] = a * x[i]! + b * h[i]!;
  };
  const a = Math.sqrt(st.common);
  const b = Math.sqrt(1 - st.common);
  for (; person < n; person++) {
    drawPerson(x);
    for (let i = 0; i < d; i++) x[i] = a * common[i]! + b * x[i]!;
    normaliseInPlace(x);
    sample(gallery.subarray(person * d, (person + 1) * d));
    for (const j of owners.get(person) ?? []) sample(probes.subarray(j * d, (j + 1) * d));
  }
  return { dims: d, gallery, probes, probeOwner, realPeople, realProbes };
}

/** Genuine (synthetic probe ↔ its person's template) and impostor (two synthetic templates) scores of a set. */
export function measureSet(set: TemplateSet, impostorPairs: number, seed: number): { genuine: ScoreStats; impostor: ScoreStats } {
  const d = set.dims;
  const n = set.gallery.length / d;
  const row = (m: Float32Array, i: number) => m.subarray(i * d, (i + 1) * d);
  const gen: number[] = [];
  for (let j = set.realProbes; j < set.probeOwner.length; j++) gen.push(dot(row(set.probes, j), row(set.gallery, set.probeOwner[j]!)));
  const rnd = mulberry32(seed);
  const imp: number[] = [];
  const span = n - set.realPeople;
  for (let k = 0; k < impostorPairs && span > 1; k++) {
    const i = set.realPeople + Math.floor(rnd() * span);
    let j = set.realPeople + Math.floor(rnd() * span);
    if (j === i) j = set.realPeople + ((j - set.realPeople + 1) % span);
    imp.push(dot(row(set.gallery, i), row(set.gallery, j)));
  }
  return { genuine: scoreStats(gen), impostor: scoreStats(imp) };
}
