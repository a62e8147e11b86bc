import type { RgbImage } from '../decode/rgb-image.js';
import type { Affine, Box } from './geometry.js';

/**
 * Bilinear resampling of an RGB image through an affine map from destination to source pixel
 * coordinates (pixel centres at +0.5). Pixels that fall outside `clip` (default: the image) are 0.
 *
 * One loop does the sampling for every output layout, with the arithmetic written out inline (no
 * per-pixel closure or array): it is the detector's input preparation and every chip, so it is on
 * the per-face budget. The results are bit-identical to the per-pixel sampler it replaced
 * (`warp.spec.ts` holds that), so no threshold moves with it.
 */
export interface Normalisation {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** Output layouts: normalised planar (C,H,W), normalised interleaved (H,W,C), 8-bit RGB. */
const PLANAR = 0,
  INTERLEAVED = 1,
  RGB8 = 2;
type Layout = typeof PLANAR | typeof INTERLEAVED | typeof RGB8;

function warp(
  img: RgbImage,
  m: Affine,
  width: number,
  height: number,
  layout: Layout,
  out: Float32Array | Uint8Array,
  offset: number,
  norm: Normalisation | undefined,
  clip: Box | undefined,
): void {
  const x0 = Math.max(0, clip?.x ?? 0);
  const y0 = Math.max(0, clip?.y ?? 0);
  const x1 = Math.min(img.width, clip ? clip.x + clip.width : img.width);
  const y1 = Math.min(img.height, clip ? clip.y + clip.height : img.height);
  const { data, width: stride } = img;
  // Integer pixel range for interpolation (the clip test above stays exact).
  const ix0 = Math.floor(x0),
    iy0 = Math.floor(y0);
  const ix1 = Math.min(img.width, Math.ceil(x1)) - 1,
    iy1max = Math.min(img.height, Math.ceil(y1)) - 1;
  const plane = width * height;
  const m0 = norm?.mean[0] ?? 0,
    m1 = norm?.mean[1] ?? 0,
    m2 = norm?.mean[2] ?? 0;
  const s0 = norm?.std[0] ?? 1,
    s1 = norm?.std[1] ?? 1,
    s2 = norm?.std[2] ?? 1;
  const { a, b, c, d, e, f } = m;
  if (b === 0 && d === 0) {
    separable(
      data,
      stride,
      a,
      c,
      e,
      f,
      width,
      height,
      layout,
      out,
      offset,
      [x0, y0, x1, y1, ix0, iy0, ix1, iy1max],
      [m0, m1, m2, s0, s1, s2],
    );
    return;
  }
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5;
      const sx = a * cx + b * cy + c;
      const sy = d * cx + e * cy + f;
      let r = 0,
        g = 0,
        bl = 0;
      if (!(sx < x0 || sy < y0 || sx >= x1 || sy >= y1)) {
        const fx = Math.min(Math.max(sx - 0.5, ix0), ix1);
        const fy = Math.min(Math.max(sy - 0.5, iy0), iy1max);
        const ix = Math.floor(fx);
        const iy = Math.floor(fy);
        const ixn = Math.min(ix + 1, ix1);
        const iyn = Math.min(iy + 1, iy1max);
        const wx = fx - ix;
        const wy = fy - iy;
        const p00 = (iy * stride + ix) * 3;
        const p01 = (iy * stride + ixn) * 3;
        const p10 = (iyn * stride + ix) * 3;
        const p11 = (iyn * stride + ixn) * 3;
        let top = data[p00] + (data[p01] - data[p00]) * wx;
        let bottom = data[p10] + (data[p11] - data[p10]) * wx;
        r = top + (bottom - top) * wy;
        top = data[p00 + 1] + (data[p01 + 1] - data[p00 + 1]) * wx;
        bottom = data[p10 + 1] + (data[p11 + 1] - data[p10 + 1]) * wx;
        g = top + (bottom - top) * wy;
        top = data[p00 + 2] + (data[p01 + 2] - data[p00 + 2]) * wx;
        bottom = data[p10 + 2] + (data[p11 + 2] - data[p10 + 2]) * wx;
        bl = top + (bottom - top) * wy;
      }
      if (layout === PLANAR) {
        const i = offset + y * width + x;
        out[i] = (r - m0) / s0;
        out[i + plane] = (g - m1) / s1;
        out[i + 2 * plane] = (bl - m2) / s2;
      } else if (layout === INTERLEAVED) {
        const i = offset + (y * width + x) * 3;
        out[i] = (r - m0) / s0;
        out[i + 1] = (g - m1) / s1;
        out[i + 2] = (bl - m2) / s2;
      } else {
        const i = (y * width + x) * 3;
        out[i] = Math.round(r);
        out[i + 1] = Math.round(g);
        out[i + 2] = Math.round(bl);
      }
    }
  }
}

/**
 * The same arithmetic for an axis-aligned map (a scaled window: the detector's input, a landmark or
 * liveness crop): the source column of each destination column and the source row of each row are
 * computed once, not per pixel. `a·cx + 0·cy + c` is exactly `a·cx + c`, so the bits do not change.
 */
function separable(
  data: Uint8Array,
  stride: number,
  a: number,
  c: number,
  e: number,
  f: number,
  width: number,
  height: number,
  layout: Layout,
  out: Float32Array | Uint8Array,
  offset: number,
  bounds: readonly number[],
  n: readonly number[],
): void {
  const [x0, y0, x1, y1, ix0, iy0, ix1, iy1max] = bounds as [number, number, number, number, number, number, number, number];
  const [m0, m1, m2, s0, s1, s2] = n as [number, number, number, number, number, number];
  const plane = width * height;
  const colIn = new Uint8Array(width);
  const col0 = new Int32Array(width);
  const col1 = new Int32Array(width);
  const colW = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const sx = a * (x + 0.5) + c;
    colIn[x] = sx < x0 || sx >= x1 ? 0 : 1;
    const fx = Math.min(Math.max(sx - 0.5, ix0), ix1);
    const ix = Math.floor(fx);
    col0[x] = ix * 3;
    col1[x] = Math.min(ix + 1, ix1) * 3;
    colW[x] = fx - ix;
  }
  for (let y = 0; y < height; y++) {
    const sy = e * (y + 0.5) + f;
    const rowIn = !(sy < y0 || sy >= y1);
    const fy = Math.min(Math.max(sy - 0.5, iy0), iy1max);
    const iy = Math.floor(fy);
    const r0 = iy * stride * 3;
    const r1 = Math.min(iy + 1, iy1max) * stride * 3;
    const wy = fy - iy;
    for (let x = 0; x < width; x++) {
      let r = 0,
        g = 0,
        bl = 0;
      if (rowIn && colIn[x] === 1) {
        const wx = colW[x];
        const p00 = r0 + col0[x],
          p01 = r0 + col1[x],
          p10 = r1 + col0[x],
          p11 = r1 + col1[x];
        let top = data[p00] + (data[p01] - data[p00]) * wx;
        let bottom = data[p10] + (data[p11] - data[p10]) * wx;
        r = top + (bottom - top) * wy;
        top = data[p00 + 1] + (data[p01 + 1] - data[p00 + 1]) * wx;
        bottom = data[p10 + 1] + (data[p11 + 1] - data[p10 + 1]) * wx;
        g = top + (bottom - top) * wy;
        top = data[p00 + 2] + (data[p01 + 2] - data[p00 + 2]) * wx;
        bottom = data[p10 + 2] + (data[p11 + 2] - data[p10 + 2]) * wx;
        bl = top + (bottom - top) * wy;
      }
      if (layout === PLANAR) {
        const i = offset + y * width + x;
        out[i] = (r - m0) / s0;
        out[i + plane] = (g - m1) / s1;
        out[i + 2 * plane] = (bl - m2) / s2;
      } else if (layout === INTERLEAVED) {
        const i = offset + (y * width + x) * 3;
        out[i] = (r - m0) / s0;
        out[i + 1] = (g - m1) / s1;
        out[i + 2] = (bl - m2) / s2;
      } else {
        const i = (y * width + x) * 3;
        out[i] = Math.round(r);
        out[i + 1] = Math.round(g);
        out[i + 2] = Math.round(bl);
      }
    }
  }
}

/** Writes a normalised planar (C,H,W) tensor of width×height into `out` at `offset`. */
export function warpToPlanar(
  img: RgbImage,
  dstToSrc: Affine,
  width: number,
  height: number,
  norm: Normalisation,
  out: Float32Array,
  offset = 0,
  clip?: Box,
): void {
  warp(img, dstToSrc, width, height, PLANAR, out, offset, norm, clip);
}

/** Same resampling to an interleaved (H,W,C) normalised tensor (TF.js-layout models). */
export function warpToInterleaved(
  img: RgbImage,
  dstToSrc: Affine,
  width: number,
  height: number,
  norm: Normalisation,
  out: Float32Array,
  offset = 0,
  clip?: Box,
): void {
  warp(img, dstToSrc, width, height, INTERLEAVED, out, offset, norm, clip);
}

/** The warped crop as 8-bit RGB (for quality measures, thumbnails and audit crops). */
export function warpToRgb(img: RgbImage, dstToSrc: Affine, width: number, height: number, clip?: Box): RgbImage {
  const data = new Uint8Array(width * height * 3);
  warp(img, dstToSrc, width, height, RGB8, data, 0, undefined, clip);
  return { width, height, data };
}

/** An 8-bit RGB crop to a normalised planar (C,H,W) tensor at `offset` of `out`. */
export function chipToPlanar(chip: RgbImage, norm: Normalisation, out: Float32Array, offset = 0): void {
  const plane = chip.width * chip.height;
  const { data } = chip;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[offset + c * plane + p] = (data[p * 3 + c] - norm.mean[c]) / norm.std[c];
  }
}
