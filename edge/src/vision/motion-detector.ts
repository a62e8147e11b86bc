import type { RgbFrame } from '../camera/frame.js';
import type { Box } from './geometry.js';
import type { PersonDetection, PersonDetector } from './person-detector.js';

export interface MotionDetectorOptions {
  /** Width of the grey working image (the height follows the frame's shape). */
  workWidth?: number;
  /** Seconds of frames the background learns from before anything is reported. */
  warmupFrames?: number;
  /** Background learning rate per frame where nothing moves, and where something does. */
  learnRate?: number;
  foregroundLearnRate?: number;
  /** A pixel differs from the background by more than max(minDiff, sigmas × its own noise). */
  minDiff?: number;
  sigmas?: number;
  /** Smallest blob reported, as a fraction of the frame's area. */
  minArea?: number;
  /** Radius of the closing that joins a person's parts, as a fraction of the working width. */
  closeRadius?: number;
  /**
   * Expected size of one person seen from above, as a fraction of the frame width (shoulder to
   * shoulder). When set, a blob several people large is split into that many people.
   */
  personSize?: number;
}

/**
 * People from above as moving foreground: a per-pixel running background (mean and variance, so
 * leaves and sun flecks that always flicker need a larger change), corrected for the camera's
 * exposure changes (the median difference of the whole frame), cleaned by opening and closing, and
 * cut into connected blobs. Each blob is one person (or, with `personSize`, as many as its area
 * holds). Something that stops moving fades into the background over tens of seconds; a blob that
 * does not cross the line is never counted.
 *
 * This is the classic overhead counter's method. COCO-trained detectors see people from the side
 * and give heads and shoulders from above low scores (CenterNet: 0.05–0.1 on a person in full view
 * over a passage), so overhead cameras use this instead.
 */
export class MotionDetector implements PersonDetector {
  readonly modelId = 'person-motion';
  private readonly o: Required<Omit<MotionDetectorOptions, 'personSize'>> & { personSize?: number };
  private w = 0;
  private h = 0;
  private mean?: Float32Array;
  private variance?: Float32Array;
  private grey?: Float32Array;
  private mask?: Uint8Array;
  private tmp?: Uint8Array;
  private labels?: Int32Array;
  private frames = 0;

  constructor(options: MotionDetectorOptions = {}) {
    this.o = {
      workWidth: options.workWidth ?? 160,
      warmupFrames: options.warmupFrames ?? 10,
      learnRate: options.learnRate ?? 0.02,
      foregroundLearnRate: options.foregroundLearnRate ?? 0.002,
      minDiff: options.minDiff ?? 18,
      sigmas: options.sigmas ?? 3,
      minArea: options.minArea ?? 0.004,
      closeRadius: options.closeRadius ?? 0.0125,
      ...(options.personSize !== undefined ? { personSize: options.personSize } : {}),
    };
  }

  async detect(frame: RgbFrame): Promise<PersonDetection[]> {
    return this.detectSync(frame);
  }

  detectSync(frame: RgbFrame): PersonDetection[] {
    const w = Math.min(this.o.workWidth, frame.width);
    const h = Math.max(8, Math.round((w * frame.height) / frame.width));
    if (w !== this.w || h !== this.h || !this.mean) this.reset(w, h);
    const grey = this.grey!;
    greyscale(frame, w, h, grey);
    const mean = this.mean!;
    const variance = this.variance!;
    const n = w * h;
    this.frames++;
    if (this.frames === 1) {
      mean.set(grey);
      variance.fill(25);
      return [];
    }
    // Exposure: the median change over the frame is the camera's, not a person's.
    const shift = medianDiff(grey, mean);
    const mask = this.mask!;
    const warm = this.frames <= this.o.warmupFrames;
    const minDiff2 = this.o.minDiff * this.o.minDiff;
    const s2 = this.o.sigmas * this.o.sigmas;
    for (let i = 0; i < n; i++) {
      // The background follows the exposure at once.
      const expected = mean[i]! + shift;
      const d = grey[i]! - expected;
      const d2 = d * d;
      const fg = d2 > minDiff2 && d2 > s2 * variance[i]!;
      mask[i] = fg ? 1 : 0;
      const a = warm ? 0.2 : fg ? this.o.foregroundLearnRate : this.o.learnRate;
      mean[i] = expected + a * d;
      variance[i] = Math.min(2500, Math.max(4, variance[i]! + a * (d2 - variance[i]!)));
    }
    if (warm) return [];
    open3(mask, this.tmp!, w, h);
    // Closing joins the parts of one person (head, arms, shadow) that a plain floor splits apart.
    const r = Math.max(2, Math.round(w * this.o.closeRadius));
    dilate(mask, this.tmp!, w, h, r);
    erode(mask, this.tmp!, w, h, r - 1);
    return this.blobs(mask, w, h, frame.width / w, frame.height / h);
  }

  private reset(w: number, h: number): void {
    this.w = w;
    this.h = h;
    const n = w * h;
    this.mean = new Float32Array(n);
    this.variance = new Float32Array(n);
    this.grey = new Float32Array(n);
    this.mask = new Uint8Array(n);
    this.tmp = new Uint8Array(n);
    this.labels = new Int32Array(n);
    this.frames = 0;
  }

  private blobs(mask: Uint8Array, w: number, h: number, sx: number, sy: number): PersonDetection[] {
    const labels = this.labels!;
    labels.fill(0);
    const minPixels = Math.max(4, this.o.minArea * w * h);
    const out: PersonDetection[] = [];
    const stack: number[] = [];
    let label = 0;
    for (let start = 0; start < w * h; start++) {
      if (!mask[start] || labels[start]) continue;
      label++;
      const pixels: number[] = [];
      labels[start] = label;
      stack.push(start);
      while (stack.length) {
        const p = stack.pop()!;
        pixels.push(p);
        const x = p % w;
        const y = (p - x) / w;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx < 0 || xx >= w) continue;
            const q = yy * w + xx;
            if (mask[q] && !labels[q]) {
              labels[q] = label;
              stack.push(q);
            }
          }
        }
      }
      if (pixels.length < minPixels) continue;
      const parts = this.o.personSize ? splitByArea(pixels, w, (this.o.personSize * w) ** 2 * 0.8) : [pixels];
      for (const part of parts) {
        const b = bounds(part, w);
        const fill = part.length / ((b.x2 - b.x1 + 1) * (b.y2 - b.y1 + 1));
        const box: Box = { x1: b.x1 * sx, y1: b.y1 * sy, x2: (b.x2 + 1) * sx, y2: (b.y2 + 1) * sy };
        out.push({ box, score: Math.min(1, 0.4 + fill) });
      }
    }
    return out.sort((a, b) => b.score - a.score);
  }

  async dispose(): Promise<void> {
    this.mean = undefined;
  }
}

function greyscale(frame: RgbFrame, w: number, h: number, out: Float32Array): void {
  // Box average of the frame pixels that fall in each working pixel.
  const { data, width: fw, height: fh } = frame;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * fh) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * fh) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * fw) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * fw) / w));
      let sum = 0;
      let count = 0;
      for (let yy = y0; yy < y1; yy += 2) {
        let o = (yy * fw + x0) * 3;
        for (let xx = x0; xx < x1; xx += 2, o += 6) {
          sum += 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
          count++;
        }
      }
      out[y * w + x] = sum / count;
    }
  }
}

/** Median of (a − b) over a 1-in-5 sample of the pixels. */
function medianDiff(a: Float32Array, b: Float32Array): number {
  const sample: number[] = [];
  for (let i = 0; i < a.length; i += 5) sample.push(a[i]! - b[i]!);
  sample.sort((x, y) => x - y);
  return sample[sample.length >> 1] ?? 0;
}

function erode(mask: Uint8Array, tmp: Uint8Array, w: number, h: number, r: number): void {
  morph(mask, tmp, w, h, r, true);
}
function dilate(mask: Uint8Array, tmp: Uint8Array, w: number, h: number, r: number): void {
  morph(mask, tmp, w, h, r, false);
}
function open3(mask: Uint8Array, tmp: Uint8Array, w: number, h: number): void {
  erode(mask, tmp, w, h, 1);
  dilate(mask, tmp, w, h, 1);
}

/** Square erosion or dilation of radius r, separably (rows, then columns). */
function morph(mask: Uint8Array, tmp: Uint8Array, w: number, h: number, r: number, isErode: boolean): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = isErode ? 1 : 0;
      for (let k = -r; k <= r; k++) {
        const xx = x + k;
        const m = xx < 0 || xx >= w ? 0 : mask[y * w + xx]!;
        if (isErode ? !m : m) {
          v = isErode ? 0 : 1;
          break;
        }
      }
      tmp[y * w + x] = v;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = isErode ? 1 : 0;
      for (let k = -r; k <= r; k++) {
        const yy = y + k;
        const m = yy < 0 || yy >= h ? 0 : tmp[yy * w + x]!;
        if (isErode ? !m : m) {
          v = isErode ? 0 : 1;
          break;
        }
      }
      mask[y * w + x] = v;
    }
  }
}

function bounds(pixels: readonly number[], w: number): { x1: number; y1: number; x2: number; y2: number } {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const p of pixels) {
    const x = p % w;
    const y = (p - x) / w;
    if (x < x1) x1 = x;
    if (x > x2) x2 = x;
    if (y < y1) y1 = y;
    if (y > y2) y2 = y;
  }
  return { x1, y1, x2, y2 };
}

/** A blob of k people's area cut into k parts by k-means on its pixel positions. */
export function splitByArea(pixels: readonly number[], w: number, personArea: number): number[][] {
  const k = Math.max(1, Math.round(pixels.length / personArea));
  if (k === 1) return [pixels as number[]];
  const xs = pixels.map((p) => p % w);
  const ys = pixels.map((p, i) => (p - xs[i]!) / w);
  // Seeds spread along the blob's longer side.
  const b = bounds(pixels, w);
  const horizontal = b.x2 - b.x1 >= b.y2 - b.y1;
  const centres = Array.from({ length: k }, (_, i) => {
    const t = (i + 0.5) / k;
    return horizontal ? { x: b.x1 + t * (b.x2 - b.x1), y: (b.y1 + b.y2) / 2 } : { x: (b.x1 + b.x2) / 2, y: b.y1 + t * (b.y2 - b.y1) };
  });
  const assign = new Int32Array(pixels.length);
  for (let iter = 0; iter < 8; iter++) {
    for (let i = 0; i < pixels.length; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const d = (xs[i]! - centres[c]!.x) ** 2 + (ys[i]! - centres[c]!.y) ** 2;
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      assign[i] = best;
    }
    const sums = centres.map(() => ({ x: 0, y: 0, n: 0 }));
    for (let i = 0; i < pixels.length; i++) {
      const s = sums[assign[i]!]!;
      s.x += xs[i]!;
      s.y += ys[i]!;
      s.n++;
    }
    sums.forEach((s, c) => s.n && (centres[c] = { x: s.x / s.n, y: s.y / s.n }));
  }
  const parts: number[][] = centres.map(() => []);
  pixels.forEach((p, i) => parts[assign[i]!]!.push(p));
  return parts.filter((p) => p.length > 0);
}
