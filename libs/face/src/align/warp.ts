import type { RgbImage } from '../decode/rgb-image.js';
import type { Affine, Box } from './geometry.js';

/**
 * Bilinear resampling of an RGB image through an affine map from destination to source pixel
 * coordinates (pixel centres at +0.5). Pixels that fall outside `clip` (default: the image) are 0.
 */
export interface Normalisation {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

function sampler(img: RgbImage, clip?: Box) {
  const x0 = Math.max(0, clip?.x ?? 0);
  const y0 = Math.max(0, clip?.y ?? 0);
  const x1 = Math.min(img.width, clip ? clip.x + clip.width : img.width);
  const y1 = Math.min(img.height, clip ? clip.y + clip.height : img.height);
  const { data, width } = img;
  // Integer pixel range for interpolation (the clip test above stays exact).
  const ix0 = Math.floor(x0), iy0 = Math.floor(y0);
  const ix1 = Math.min(img.width, Math.ceil(x1)) - 1, iy1max = Math.min(img.height, Math.ceil(y1)) - 1;
  const out = [0, 0, 0];
  return (sx: number, sy: number): number[] => {
    out[0] = out[1] = out[2] = 0;
    if (sx < x0 || sy < y0 || sx >= x1 || sy >= y1) return out;
    const fx = Math.min(Math.max(sx - 0.5, ix0), ix1);
    const fy = Math.min(Math.max(sy - 0.5, iy0), iy1max);
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    const ixn = Math.min(ix + 1, ix1);
    const iy1 = Math.min(iy + 1, iy1max);
    const wx = fx - ix;
    const wy = fy - iy;
    const p00 = (iy * width + ix) * 3;
    const p01 = (iy * width + ixn) * 3;
    const p10 = (iy1 * width + ix) * 3;
    const p11 = (iy1 * width + ixn) * 3;
    for (let c = 0; c < 3; c++) {
      const top = data[p00 + c] + (data[p01 + c] - data[p00 + c]) * wx;
      const bottom = data[p10 + c] + (data[p11 + c] - data[p10 + c]) * wx;
      out[c] = top + (bottom - top) * wy;
    }
    return out;
  };
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
  const sample = sampler(img, clip);
  const plane = width * height;
  const m = dstToSrc;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5, cy = y + 0.5;
      const px = sample(m.a * cx + m.b * cy + m.c, m.d * cx + m.e * cy + m.f);
      const i = offset + y * width + x;
      out[i] = (px[0] - norm.mean[0]) / norm.std[0];
      out[i + plane] = (px[1] - norm.mean[1]) / norm.std[1];
      out[i + 2 * plane] = (px[2] - norm.mean[2]) / norm.std[2];
    }
  }
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
  const sample = sampler(img, clip);
  const m = dstToSrc;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5, cy = y + 0.5;
      const px = sample(m.a * cx + m.b * cy + m.c, m.d * cx + m.e * cy + m.f);
      const i = offset + (y * width + x) * 3;
      for (let c = 0; c < 3; c++) out[i + c] = (px[c] - norm.mean[c]) / norm.std[c];
    }
  }
}

/** The warped crop as 8-bit RGB (for quality measures, thumbnails and audit crops). */
export function warpToRgb(img: RgbImage, dstToSrc: Affine, width: number, height: number, clip?: Box): RgbImage {
  const sample = sampler(img, clip);
  const data = new Uint8Array(width * height * 3);
  const m = dstToSrc;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5, cy = y + 0.5;
      const px = sample(m.a * cx + m.b * cy + m.c, m.d * cx + m.e * cy + m.f);
      const i = (y * width + x) * 3;
      data[i] = Math.round(px[0]);
      data[i + 1] = Math.round(px[1]);
      data[i + 2] = Math.round(px[2]);
    }
  }
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
