import type { Affine, Point } from './geometry.js';

/**
 * Least-squares similarity transform (rotation, uniform scale, translation; no reflection) that maps
 * `from` onto `to` (Umeyama's closed form in 2-D).
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Affine {
  if (from.length !== to.length || from.length < 2) throw new RangeError('need at least two point pairs of equal count');
  const n = from.length;
  let fx = 0,
    fy = 0,
    tx = 0,
    ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i].x;
    fy += from[i].y;
    tx += to[i].x;
    ty += to[i].y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let sxx = 0,
    sxy = 0,
    norm = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i].x - fx,
      py = from[i].y - fy;
    const qx = to[i].x - tx,
      qy = to[i].y - ty;
    sxx += px * qx + py * qy;
    sxy += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm < 1e-12) throw new RangeError('source points are degenerate');
  const a = sxx / norm;
  const b = sxy / norm;
  return { a, b: -b, c: tx - (a * fx - b * fy), d: b, e: a, f: ty - (b * fx + a * fy) };
}
