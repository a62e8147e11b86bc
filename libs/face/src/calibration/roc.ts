/**
 * Verification error rates from genuine (same person) and impostor (different person) scores,
 * where a higher score means more similar and a pair is accepted when score ≥ threshold.
 */
export interface RatesAt {
  threshold: number;
  /** True accept rate: genuine pairs accepted / genuine pairs. */
  tar: number;
  /** False accept rate: impostor pairs accepted / impostor pairs. */
  far: number;
}

export function ratesAt(genuine: readonly number[], impostor: readonly number[], threshold: number): RatesAt {
  const tar = genuine.filter((s) => s >= threshold).length / Math.max(1, genuine.length);
  const far = impostor.filter((s) => s >= threshold).length / Math.max(1, impostor.length);
  return { threshold, tar, far };
}

/**
 * The operating point for a target FAR: the k = ⌊targetFar·N⌋-th highest impostor score may be
 * accepted, the next one not. The threshold is put midway between that impostor score and the next
 * higher genuine score, which keeps the measured TAR/FAR and leaves the widest margin on both sides.
 */
export function thresholdAtFar(genuine: readonly number[], impostor: readonly number[], targetFar: number): RatesAt {
  const imp = [...impostor].sort((a, b) => b - a);
  const allowed = Math.floor(targetFar * imp.length + 1e-9);
  const firstRejected = imp[allowed]; // highest impostor score that must be rejected
  if (firstRejected === undefined) return ratesAt(genuine, impostor, -Infinity);
  const above = genuine.filter((s) => s > firstRejected);
  const nextGenuine = above.length ? Math.min(...above) : firstRejected + 1e-6;
  const ceiling = allowed > 0 ? imp[allowed - 1] : Infinity;
  const threshold = Math.min((firstRejected + nextGenuine) / 2, ceiling);
  return ratesAt(genuine, impostor, threshold > firstRejected ? threshold : firstRejected + 1e-6);
}

/** Equal error rate: where FAR and FRR cross, over all candidate thresholds (one sorted sweep). */
export function equalErrorRate(genuine: readonly number[], impostor: readonly number[]): { eer: number; threshold: number } {
  const g = [...genuine].sort((a, b) => a - b);
  const im = [...impostor].sort((a, b) => a - b);
  const candidates = [...new Set([...g, ...im])].sort((a, b) => a - b);
  candidates.push(Infinity);
  let best = { eer: 1, threshold: 0, gap: Infinity };
  // At threshold t: genuine below t are rejected (FRR), impostors at or above t are accepted (FAR).
  let gi = 0,
    ii = 0;
  for (const t of candidates) {
    while (gi < g.length && g[gi] < t) gi++;
    while (ii < im.length && im[ii] < t) ii++;
    const frr = gi / Math.max(1, g.length);
    const far = (im.length - ii) / Math.max(1, im.length);
    const gap = Math.abs(far - frr);
    if (gap < best.gap) best = { eer: (far + frr) / 2, threshold: t, gap };
  }
  return { eer: best.eer, threshold: best.threshold };
}
