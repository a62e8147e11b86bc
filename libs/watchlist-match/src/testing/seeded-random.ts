/**
 * Seeded pseudo-random numbers and vectors for the watchlist-match specs and `bench:watchlist` (one
 * generator, so a spec and the benchmark that share a seed see the same data on every run).
 */

/** mulberry32: uniform in (0, 1), never exactly 0 (safe for Box–Muller's log). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** Standard normal deviates from `rnd` (Box–Muller, both values of each pair used). */
export function gaussian(rnd: () => number): () => number {
  let spare: number | null = null;
  return () => {
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
}

export function normaliseInPlace(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** `n` unit vectors uniform on the sphere. */
export function randomUnitVectors(n: number, dims: number, seed: number): Float32Array[] {
  const g = gaussian(mulberry32(seed));
  return Array.from({ length: n }, () => normaliseInPlace(Float32Array.from({ length: dims }, g)));
}

/**
 * `n` unit vectors around `clusters` random centres (member i belongs to centre i % clusters): each is
 * its centre plus Gaussian noise of `spread` per dimension, renormalised.
 */
export function clusteredUnitVectors(n: number, dims: number, clusters: number, seed: number, spread = 0.12): Float32Array[] {
  const g = gaussian(mulberry32(seed));
  const centres = Array.from({ length: clusters }, () => normaliseInPlace(Float32Array.from({ length: dims }, g)));
  return Array.from({ length: n }, (_, i) => normaliseInPlace(centres[i % clusters]!.map((x) => x + spread * g())));
}

/** `v` plus Gaussian noise of `sigma` per dimension (`noise` supplies the deviates), renormalised. */
export function noisyCopy(v: Float32Array, sigma: number, noise: () => number): Float32Array {
  return normaliseInPlace(v.map((x) => x + sigma * noise()));
}
