/**
 * Watchlist-sized template sets with the structure of real face embeddings, for `bench:watchlist`.
 *
 * - Seeds: real templates (the embedder's own output on ../shared faces) when the embedder has the
 *   requested dimension; otherwise random cluster centres (a stand-in for an embedder not installed).
 * - Identities: each synthetic person is a seed plus between-person noise, so people form tight
 *   clusters around the seeds (the hard case: look-alikes, and the observed crowding of East Asian faces).
 *   Noise lies mostly in the subspace the real templates span (their principal directions, in proportion
 *   to the real variance along each), plus an isotropic share; its size is set so two people of one
 *   cluster score like the closest real impostors.
 * - Templates and queries: a person's gallery template and a later probe are the person plus
 *   within-person noise sized so template and probe score like real genuine pairs.
 */

export interface Structure {
  dims: number;
  /** Unit vectors people cluster around. */
  seeds: Float32Array[];
  /** Orthonormal directions the noise prefers (may be empty), with their share of the variance (sums to 1). */
  basis: Float32Array[];
  weights: number[];
  /** Mean cosine of a template and a probe of one person. */
  genuineCos: number;
  /** Cosine of two people of one cluster. */
  closeImpostorCos: number;
  source: string;
}

let state = 0x9e3779b9;
export function seed(s: number): void {
  state = s >>> 0;
}
const rnd = (): number => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
};
let spare: number | null = null;
const gauss = (): number => {
  if (spare !== null) {
    const s = spare;
    spare = null;
    return s;
  }
  const r = Math.sqrt(-2 * Math.log(rnd()));
  const a = 2 * Math.PI * rnd();
  spare = r * Math.sin(a);
  return r * Math.cos(a);
};

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
function normaliseInPlace(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v));
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** Principal directions of the real templates (Gram–Schmidt on power iterations; enough for ~100 rows). */
function principalDirections(rows: Float32Array[], count: number): { basis: Float32Array[]; weights: number[] } {
  const d = rows[0]!.length;
  const mean = new Float32Array(d);
  for (const r of rows) for (let i = 0; i < d; i++) mean[i]! += r[i]! / rows.length;
  const centred = rows.map((r) => r.map((x, i) => x - mean[i]!));
  const basis: Float32Array[] = [];
  for (let c = 0; c < Math.min(count, rows.length - 1); c++) {
    let v = normaliseInPlace(Float32Array.from({ length: d }, gauss));
    for (let it = 0; it < 50; it++) {
      const next = new Float32Array(d);
      for (const r of centred) {
        const p = dot(r, v);
        for (let i = 0; i < d; i++) next[i]! += p * r[i]!;
      }
      for (const b of basis) {
        const p = dot(next, b);
        for (let i = 0; i < d; i++) next[i]! -= p * b[i]!;
      }
      if (dot(next, next) < 1e-12) return withWeights(basis, centred);
      v = normaliseInPlace(next);
    }
    basis.push(v);
  }
  return withWeights(basis, centred);
}

/** Each direction's share of the variance of `centred` along the basis. */
function withWeights(basis: Float32Array[], centred: Float32Array[]): { basis: Float32Array[]; weights: number[] } {
  const v = basis.map((b) => centred.reduce((a, r) => a + dot(r, b) ** 2, 0));
  const sum = v.reduce((a, b) => a + b, 0);
  return { basis, weights: v.map((x) => x / sum) };
}

/** Structure measured on real templates: genuine mean and the 95th percentile of impostor cosines. */
export function structureFromReal(real: { id: string; v: Float32Array }[], source: string): Structure {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < real.length; i++)
    for (let j = i + 1; j < real.length; j++) (real[i]!.id === real[j]!.id ? genuine : impostor).push(dot(real[i]!.v, real[j]!.v));
  impostor.sort((a, b) => a - b);
  const rows = real.map((r) => normaliseInPlace(Float32Array.from(r.v)));
  const firstOfEach = rows.filter((_, i) => real.findIndex((r) => r.id === real[i]!.id) === i);
  return {
    dims: rows[0]!.length,
    seeds: firstOfEach,
    ...principalDirections(rows, 48),
    genuineCos: genuine.reduce((a, b) => a + b, 0) / genuine.length,
    closeImpostorCos: impostor[Math.floor(impostor.length * 0.95)]!,
    source,
  };
}

/** ArcFace-style figures (genuine ≈ 0.65, look-alikes ≈ 0.35, unrelated ≈ 0) over random cluster centres. */
export function syntheticStructure(dims: number, clusters: number): Structure {
  return {
    dims,
    seeds: Array.from({ length: clusters }, () => normaliseInPlace(Float32Array.from({ length: dims }, gauss))),
    basis: [],
    weights: [],
    genuineCos: 0.65,
    closeImpostorCos: 0.35,
    source: `${clusters} random cluster centres, ArcFace-like score levels, noise variance ∝ 1/rank over the coordinates`,
  };
}

const spectra = new Map<number, Float32Array>();
/** Per-coordinate noise scales with variance ∝ 1/rank, summing to 1 (a decaying spectrum, as embeddings have). */
function powerLawScales(d: number): Float32Array {
  let s = spectra.get(d);
  if (!s) {
    let sum = 0;
    for (let j = 1; j <= d; j++) sum += 1 / j;
    s = Float32Array.from({ length: d }, (_, j) => Math.sqrt(1 / (j + 1) / sum));
    spectra.set(d, s);
  }
  return s;
}

/**
 * Adds noise of expected squared norm `v`: with a basis, 80 % along the real principal directions in
 * proportion to their real variance and 20 % isotropic; without one, a power-law spectrum over the
 * coordinates (the cluster centres are random, so which coordinates does not matter).
 */
function addNoise(out: Float32Array, v: number, st: Structure): Float32Array {
  const d = out.length;
  if (!st.basis.length) {
    const sc = powerLawScales(d);
    const r = Math.sqrt(v);
    for (let i = 0; i < d; i++) out[i]! += r * sc[i]! * gauss();
    return out;
  }
  const iso = Math.sqrt((0.2 * v) / d);
  for (let i = 0; i < d; i++) out[i]! += iso * gauss();
  st.basis.forEach((b, j) => {
    const z = Math.sqrt(0.8 * v * st.weights[j]!) * gauss();
    for (let i = 0; i < d; i++) out[i]! += z * b[i]!;
  });
  return out;
}

export interface TemplateSet {
  dims: number;
  /** n×dims gallery, one template per person (row = person). */
  gallery: Float32Array;
  /** q×dims probes of random people of the gallery. */
  probes: Float32Array;
  probeOwner: Uint32Array;
}

/**
 * `n` people, one gallery template each, and `q` probes of random people. With real seeds the first
 * rows are the real people themselves (their enrolled template, unchanged).
 */
export function makeTemplates(st: Structure, n: number, q: number): TemplateSet {
  const d = st.dims;
  // cos(a + e1, a + e2) ≈ 1 / (1 + v) for noise of squared norm v on a unit a.
  const vBetween = 1 / st.closeImpostorCos - 1;
  const vWithin = 1 / st.genuineCos - 1;
  const people = new Float32Array(n * d);
  const gallery = new Float32Array(n * d);
  const person = new Float32Array(d);
  const realSeeds = st.basis.length > 0;
  for (let i = 0; i < n; i++) {
    const s = st.seeds[i < st.seeds.length ? i : Math.floor(rnd() * st.seeds.length)]!;
    person.set(s);
    if (!(realSeeds && i < st.seeds.length)) addNoise(person, vBetween, st);
    normaliseInPlace(person);
    people.set(person, i * d);
    const t = gallery.subarray(i * d, (i + 1) * d);
    t.set(person);
    // A real seed is its person's own gallery template, as enrolled.
    if (!(realSeeds && i < st.seeds.length)) normaliseInPlace(addNoise(t, vWithin, st));
  }
  const probes = new Float32Array(q * d);
  const probeOwner = new Uint32Array(q);
  for (let j = 0; j < q; j++) {
    const i = Math.floor(rnd() * n);
    probeOwner[j] = i;
    const p = probes.subarray(j * d, (j + 1) * d);
    p.set(people.subarray(i * d, (i + 1) * d));
    normaliseInPlace(addNoise(p, vWithin, st));
  }
  return { dims: d, gallery, probes, probeOwner };
}
