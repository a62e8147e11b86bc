import type { Box } from './geometry.js';

/**
 * Constant-velocity Kalman filter over a box as (cx, cy, aspect, height), the SORT / ByteTrack
 * state. Process and measurement noise are diagonal and scale with the box height (as in
 * DeepSORT), so the 8×8 covariance stays block-diagonal: it is kept as four independent 2×2
 * (position, velocity) blocks, which is exact and allocation-free.
 */
const STD_POS = 1 / 20;
const STD_VEL = 1 / 160;

export class KalmanBoxFilter {
  /** x[i] = position of dim i, v[i] = its velocity (per update step). */
  private readonly x = new Float64Array(4);
  private readonly v = new Float64Array(4);
  /** Per dim: P = [[pp, pv], [pv, vv]]. */
  private readonly pp = new Float64Array(4);
  private readonly pv = new Float64Array(4);
  private readonly vv = new Float64Array(4);

  constructor(box: Box) {
    const m = toMeasurement(box);
    const h = m[3]!;
    const posStd = [2 * STD_POS * h, 2 * STD_POS * h, 1e-2, 2 * STD_POS * h];
    const velStd = [10 * STD_VEL * h, 10 * STD_VEL * h, 1e-5, 10 * STD_VEL * h];
    for (let i = 0; i < 4; i++) {
      this.x[i] = m[i]!;
      this.v[i] = 0;
      this.pp[i] = posStd[i]! ** 2;
      this.pv[i] = 0;
      this.vv[i] = velStd[i]! ** 2;
    }
  }

  /** Advances one step; returns the predicted box. */
  predict(): Box {
    const h = this.x[3]!;
    const qPos = [STD_POS * h, STD_POS * h, 1e-2, STD_POS * h];
    const qVel = [STD_VEL * h, STD_VEL * h, 1e-5, STD_VEL * h];
    for (let i = 0; i < 4; i++) {
      this.x[i]! += this.v[i]!;
      // P = F P Fᵀ + Q with F = [[1, 1], [0, 1]].
      const pp = this.pp[i]! + 2 * this.pv[i]! + this.vv[i]!;
      const pv = this.pv[i]! + this.vv[i]!;
      this.pp[i] = pp + qPos[i]! ** 2;
      this.pv[i] = pv;
      this.vv[i] = this.vv[i]! + qVel[i]! ** 2;
    }
    if (this.x[3]! < 1) this.x[3] = 1;
    return this.box();
  }

  /** Corrects the state with a measured box. */
  update(box: Box): void {
    const m = toMeasurement(box);
    const h = this.x[3]!;
    const rStd = [STD_POS * h, STD_POS * h, 1e-1, STD_POS * h];
    for (let i = 0; i < 4; i++) {
      const s = this.pp[i]! + rStd[i]! ** 2;
      const kPos = this.pp[i]! / s;
      const kVel = this.pv[i]! / s;
      const y = m[i]! - this.x[i]!;
      this.x[i]! += kPos * y;
      this.v[i]! += kVel * y;
      const pp = (1 - kPos) * this.pp[i]!;
      const pv = (1 - kPos) * this.pv[i]!;
      const vv = this.vv[i]! - kVel * this.pv[i]!;
      this.pp[i] = pp;
      this.pv[i] = pv;
      this.vv[i] = vv;
    }
  }

  box(): Box {
    const [cx, cy, a, h] = [this.x[0]!, this.x[1]!, this.x[2]!, this.x[3]!];
    const w = a * h;
    return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
  }

  velocity(): { x: number; y: number } {
    return { x: this.v[0]!, y: this.v[1]! };
  }
}

function toMeasurement(b: Box): number[] {
  const w = Math.max(1e-3, b.x2 - b.x1);
  const h = Math.max(1e-3, b.y2 - b.y1);
  return [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2, w / h, h];
}
