import type { RgbFrame } from '../camera/frame.js';

/**
 * Bilinear resize of a whole RGB frame into an NHWC buffer of `w`×`h` (stretched: the caller picks a
 * size of about the frame's shape), values 0..255 as the model takes them.
 */
export function resizeRgbInto(frame: RgbFrame, w: number, h: number, out: Float32Array | Int32Array | Uint8Array): void {
  const { data, width: fw, height: fh } = frame;
  if (out.length < w * h * 3) throw new Error(`resize buffer holds ${out.length} values, needs ${w * h * 3}`);
  const fx = fw / w;
  const fy = fh / h;
  const xs0 = new Int32Array(w);
  const xs1 = new Int32Array(w);
  const wxs = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const sx = Math.min(fw - 1, Math.max(0, (x + 0.5) * fx - 0.5));
    const x0 = Math.floor(sx);
    xs0[x] = x0 * 3;
    xs1[x] = Math.min(fw - 1, x0 + 1) * 3;
    wxs[x] = sx - x0;
  }
  let o = 0;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(fh - 1, Math.max(0, (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(sy);
    const r0 = y0 * fw * 3;
    const r1 = Math.min(fh - 1, y0 + 1) * fw * 3;
    const wy = sy - y0;
    for (let x = 0; x < w; x++) {
      const a = xs0[x]!;
      const b = xs1[x]!;
      const wx = wxs[x]!;
      for (let k = 0; k < 3; k++) {
        const top = data[r0 + a + k]! + (data[r0 + b + k]! - data[r0 + a + k]!) * wx;
        const bottom = data[r1 + a + k]! + (data[r1 + b + k]! - data[r1 + a + k]!) * wx;
        out[o++] = top + (bottom - top) * wy;
      }
    }
  }
}
