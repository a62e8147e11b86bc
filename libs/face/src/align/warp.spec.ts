import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RgbImage } from '../decode/rgb-image.js';
import type { Affine, Box } from './geometry.js';
import { warpToInterleaved, warpToPlanar, warpToRgb, type Normalisation } from './warp.js';

/**
 * The per-pixel sampler the inline warp replaced (closure + array per pixel), kept here as the
 * reference: the fast warp must give the same bits, so calibrated thresholds stay valid.
 */
function referenceSample(img: RgbImage, sx: number, sy: number, clip?: Box): number[] {
  const x0 = Math.max(0, clip?.x ?? 0);
  const y0 = Math.max(0, clip?.y ?? 0);
  const x1 = Math.min(img.width, clip ? clip.x + clip.width : img.width);
  const y1 = Math.min(img.height, clip ? clip.y + clip.height : img.height);
  const ix0 = Math.floor(x0),
    iy0 = Math.floor(y0);
  const ix1 = Math.min(img.width, Math.ceil(x1)) - 1,
    iy1max = Math.min(img.height, Math.ceil(y1)) - 1;
  const out = [0, 0, 0];
  if (sx < x0 || sy < y0 || sx >= x1 || sy >= y1) return out;
  const fx = Math.min(Math.max(sx - 0.5, ix0), ix1);
  const fy = Math.min(Math.max(sy - 0.5, iy0), iy1max);
  const ix = Math.floor(fx),
    iy = Math.floor(fy);
  const ixn = Math.min(ix + 1, ix1),
    iy1 = Math.min(iy + 1, iy1max);
  const wx = fx - ix,
    wy = fy - iy;
  const { data, width } = img;
  const p00 = (iy * width + ix) * 3,
    p01 = (iy * width + ixn) * 3,
    p10 = (iy1 * width + ix) * 3,
    p11 = (iy1 * width + ixn) * 3;
  for (let c = 0; c < 3; c++) {
    const top = data[p00 + c] + (data[p01 + c] - data[p00 + c]) * wx;
    const bottom = data[p10 + c] + (data[p11 + c] - data[p10 + c]) * wx;
    out[c] = top + (bottom - top) * wy;
  }
  return out;
}

function noise(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s >> 23;
  }
  return { width, height, data };
}

const norm: Normalisation = { mean: [117.001, 114.697, 97.404], std: [255, 128, 255] };
const maps: [string, Affine, Box | undefined][] = [
  ['scale (detector input)', { a: 1.53846, b: 0, c: 0, d: 0, e: 1.53846, f: 0 }, undefined],
  ['padded window (off the frame)', { a: 2.4, b: 0, c: -64, d: 0, e: 2.4, f: -48 }, undefined],
  ['rotation + scale (a chip)', { a: 0.93, b: -0.21, c: 50.7, d: 0.21, e: 0.93, f: 11.2 }, undefined],
  ['axis-aligned, clipped to a box', { a: 0.8, b: 0, c: 3.3, d: 0, e: 0.8, f: -2 }, { x: 10.5, y: 8, width: 40, height: 33.3 }],
  ['clipped to a box', { a: 0.7, b: 0.1, c: 5.5, d: -0.1, e: 0.7, f: 20.25 }, { x: 10.5, y: 8, width: 40, height: 33.3 }],
];

describe('warp (bilinear resampling)', () => {
  const img = noise(97, 71, 7);
  for (const [name, m, clip] of maps) {
    it(`gives the reference sampler's exact values: ${name}`, () => {
      const w = 61,
        h = 45,
        plane = w * h;
      const planar = new Float32Array(3 * plane + 5);
      const inter = new Float32Array(3 * plane);
      warpToPlanar(img, m, w, h, norm, planar, 5, clip);
      warpToInterleaved(img, m, w, h, norm, inter, 0, clip);
      const rgb = warpToRgb(img, m, w, h, clip);
      let outside = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const cx = x + 0.5,
            cy = y + 0.5;
          const px = referenceSample(img, m.a * cx + m.b * cy + m.c, m.d * cx + m.e * cy + m.f, clip);
          if (px[0] === 0 && px[1] === 0 && px[2] === 0) outside++;
          for (let c = 0; c < 3; c++) {
            const want = Math.fround((px[c] - norm.mean[c]) / norm.std[c]);
            assert.equal(planar[5 + c * plane + y * w + x], want, `planar ${x},${y},${c}`);
            assert.equal(inter[(y * w + x) * 3 + c], want, `interleaved ${x},${y},${c}`);
            assert.equal(rgb.data[(y * w + x) * 3 + c], Math.round(px[c]), `rgb ${x},${y},${c}`);
          }
        }
      }
      // The maps reach past the image (or the clip) somewhere, except the plain downscale.
      if (name !== 'scale (detector input)') assert.ok(outside > 0, 'some destination pixels fall outside the source');
    });
  }
});
