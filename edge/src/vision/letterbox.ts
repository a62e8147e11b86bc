import type { RgbFrame } from '../camera/frame.js';

/** How a frame was placed into a model input: input = frame * scale + (padX, padY). */
export interface Letterbox {
  width: number;
  height: number;
  scale: number;
  padX: number;
  padY: number;
}

export function letterboxFor(frameW: number, frameH: number, inputW: number, inputH: number): Letterbox {
  const scale = Math.min(inputW / frameW, inputH / frameH);
  const w = Math.round(frameW * scale);
  const h = Math.round(frameH * scale);
  return { width: inputW, height: inputH, scale, padX: Math.floor((inputW - w) / 2), padY: Math.floor((inputH - h) / 2) };
}

/**
 * Bilinear resize of an RGB frame into a letterboxed NHWC buffer (padding left at `padValue`).
 * Writes into `out` (length inputW * inputH * 3), typed as the model wants it.
 */
export function letterboxRgb(frame: RgbFrame, lb: Letterbox, out: Int32Array | Float32Array, padValue = 0): void {
  out.fill(padValue);
  const { data, width: fw, height: fh } = frame;
  const w = Math.round(fw * lb.scale);
  const h = Math.round(fh * lb.scale);
  const inv = 1 / lb.scale;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(fh - 1, Math.max(0, (y + 0.5) * inv - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(fh - 1, y0 + 1);
    const wy = sy - y0;
    let o = ((y + lb.padY) * lb.width + lb.padX) * 3;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(fw - 1, Math.max(0, (x + 0.5) * inv - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(fw - 1, x0 + 1);
      const wx = sx - x0;
      const a = (y0 * fw + x0) * 3;
      const b = (y0 * fw + x1) * 3;
      const c = (y1 * fw + x0) * 3;
      const d = (y1 * fw + x1) * 3;
      for (let k = 0; k < 3; k++) {
        const top = data[a + k]! + (data[b + k]! - data[a + k]!) * wx;
        const bottom = data[c + k]! + (data[d + k]! - data[c + k]!) * wx;
        out[o++] = top + (bottom - top) * wy;
      }
    }
  }
}
