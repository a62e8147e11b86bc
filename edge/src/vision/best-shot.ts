import type { RgbFrame } from '../camera/frame.js';
import type { Box } from './geometry.js';
import type { Track } from './byte-tracker.js';

export interface FaceCrop {
  width: number;
  height: number;
  /** Packed RGB24. */
  data: Uint8Array;
  quality: number;
  seq: number;
}

/**
 * Keeps, per track, the clearest face seen so far (highest face-hint quality): the crop is copied out
 * of the frame at once, so it can be encoded later, when (and if) the track crosses a line.
 */
export class BestShotKeeper {
  private readonly best = new Map<number, FaceCrop>();

  constructor(private readonly margin = 0.25) {}

  observe(frame: RgbFrame, tracks: readonly Track[]): void {
    for (const t of tracks) {
      const face = t.detection?.face;
      if (!face) continue;
      const prev = this.best.get(t.id);
      if (prev && prev.quality >= face.quality) continue;
      const crop = cropRgb(frame, expand(face.box, this.margin, frame.width, frame.height));
      if (crop) this.best.set(t.id, { ...crop, quality: face.quality, seq: frame.seq });
    }
  }

  take(trackId: number): FaceCrop | undefined {
    return this.best.get(trackId);
  }

  /** Drops crops of tracks that no longer exist. */
  prune(liveIds: ReadonlySet<number>): void {
    for (const id of [...this.best.keys()]) if (!liveIds.has(id)) this.best.delete(id);
  }
}

function expand(b: Box, m: number, w: number, h: number): Box {
  const dx = (b.x2 - b.x1) * m;
  const dy = (b.y2 - b.y1) * m;
  return { x1: Math.max(0, b.x1 - dx), y1: Math.max(0, b.y1 - dy), x2: Math.min(w, b.x2 + dx), y2: Math.min(h, b.y2 + dy) };
}

function cropRgb(frame: RgbFrame, b: Box): { width: number; height: number; data: Uint8Array } | undefined {
  const x1 = Math.floor(b.x1);
  const y1 = Math.floor(b.y1);
  const w = Math.floor(b.x2) - x1;
  const h = Math.floor(b.y2) - y1;
  if (w < 8 || h < 8) return undefined;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = ((y1 + y) * frame.width + x1) * 3;
    data.set(frame.data.subarray(src, src + w * 3), y * w * 3);
  }
  return { width: w, height: h, data };
}
