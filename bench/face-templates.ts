/**
 * Watchlist-sized template sets for `bench:watchlist`: distinct people whose scores are distributed like
 * real face embeddings' scores.
 *
 * - Real people first: the embedder's own templates of the ../shared photos. A person's first photo is
 *   their gallery template; every further photo of them is a probe (a real second photo).
 * - Synthetic people: every person is their own centre x, a unit vector drawn from one fixed
 *   distribution: a small common direction (the mean impostor score) plus a Gaussian whose variance
 *   falls off as a power law k^-alpha over the dimensions, in a fixed random orthonormal basis (a few
 *   randomised Walsh–Hadamard rounds). Real embeddings use their dimensions unevenly (impostor scores
 *   spread wider than uniform points on the sphere would); alpha is set so that two different people
 *   score with the spread measured on the real templates. Nothing else is taken from the real data.
 * - A gallery template or a probe of person x is sqrt(q)·x + sqrt(1-q)·h (h a unit draw of the same
 *   distribution, made orthogonal to x), so it scores sqrt(q) against x and about sqrt(q1·q2) against
 *   another sample of the same person; the quality q of each sample is drawn so template↔probe scores
 *   follow the real genuine pairs' mean and spread.
 *
 * Only four figures come from the real templates (genuine mean and spread, impostor mean and spread);
 * the bench prints the synthetic set's own figures beside the real ones.
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
  /** Power-law exponent of the per-dimension variance. */
  alpha: number;
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

/** Spectrum k^-alpha over d dimensions, summing to 1. */
function spectrum(d: number, alpha: number): Float64Array {
  const l = Float64Array.from({ length: d }, (_, k) => (k + 1) ** -alpha);
  const sum = l.reduce((a, b) => a + b, 0);
  return l.map((x) => x / sum);
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
  // Two centres score common + (1 - common)·u1·u2, and u1·u2 has variance sum(lambda²) for unit-trace lambda.
  const wantVar = (impostor.sd / (1 - common)) ** 2;
  let lo = 0;
  let hi = 4;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    const v = spectrum(dims, mid).reduce((a, b) => a + b * b, 0);
    if (v < wantVar) lo = mid;
    else hi = mid;
  }
  const alpha = (lo + hi) / 2;
  // Template↔probe ≈ sqrt(q1 q2) + sqrt((1-q1)(1-q2)) h1·h2: the second term adds ≈ (1-q)·impostor sd of spread.
  const extra = (1 - genuine.mean) * impostor.sd;
  const qSd = Math.sqrt(2 * Math.max(0, genuine.sd ** 2 - extra ** 2));
  return { dims, real: rows, genuine, impostor, common, alpha, quality: { mean: genuine.mean, sd: qSd }, source };
}

/** The fixed random orthonormal map: rounds of random signs and a normalised Walsh–Hadamard transform. */
class RandomRotation {
  private readonly signs: Float32Array[];
  constructor(
    private readonly d: number,
    rnd: () => number,
    rounds = 3,
  ) {
    this.signs = Array.from({ length: rounds }, () => Float32Array.from({ length: d }, () => (rnd() < 0.5 ? -1 : 1)));
  }
  apply(v: Float32Array): Float32Array {
    const d = this.d;
    const scale = 1 / Math.sqrt(d);
    for (const s of this.signs) {
      for (let i = 0; i < d; i++) v[i]! *= s[i]!;
      for (let h = 1; h < d; h <<= 1)
        for (let i = 0; i < d; i += h << 1)
          for (let j = i; j < i + h; j++) {
            const a = v[j]!;
            const b = v[j + h]!;
            v[j] = a + b;
            v[j + h] = a - b;
          }
      for (let i = 0; i < d; i++) v[i]! *= scale;
    }
    return v;
  }
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
  const rot = new RandomRotation(d, rnd);
  const sdev = spectrum(d, st.alpha).map(Math.sqrt);
  const common = normaliseInPlace(Float32Array.from({ length: d }, g));
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
  const draw = (out: Float32Array) => {
    for (let i = 0; i < d; i++) out[i] = sdev[i]! * g();
    return normaliseInPlace(rot.apply(out));
  };
  const quality = () => Math.min(0.99, Math.max(0.2, st.quality.mean + st.quality.sd * g()));
  const x = new Float32Array(d);
  const h = new Float32Array(d);
  const sample = (out: Float32Array) => {
    draw(h);
    const along = dot(h, x);
    for (let i = 0; i < d; i++) h[i]! -= along * x[i]!;
    normaliseInPlace(h);
    const qq = quality();
    const a = Math.sqrt(qq);
    const b = Math.sqrt(1 - qq);
    for (let i = 0; i < d; i++) out[i] = a * x[i]! + b * h[i]!;
  };
  const a = Math.sqrt(st.common);
  const b = Math.sqrt(1 - st.common);
  for (; person < n; person++) {
    draw(x);
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
