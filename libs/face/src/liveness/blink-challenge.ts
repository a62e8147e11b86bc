import type { Point } from '../align/geometry.js';

/**
 * Active liveness across frames: a blink. A print or a still on a screen keeps its eyes as they
 * are; a person asked to blink closes them for a frame or two. The eye aspect ratio (EAR, eye
 * height over width from the 68 landmarks, Soukupová & Čech 2016) is followed over the capture
 * window; a blink is a frame whose EAR falls below `closedRatio` × the open-eye level seen before
 * it, followed by a frame back above `reopenRatio` × that level.
 */
export function eyeAspectRatio(l: readonly Point[]): number {
  const d = (a: number, b: number) => Math.hypot(l[a].x - l[b].x, l[a].y - l[b].y);
  const ear = (p: number) => (d(p + 1, p + 5) + d(p + 2, p + 4)) / (2 * Math.max(1e-6, d(p, p + 3)));
  return (ear(36) + ear(42)) / 2;
}

export interface BlinkOptions {
  closedRatio: number;
  reopenRatio: number;
  /** Lowest open-eye EAR believed (below it the eyes were never seen open). */
  minOpen: number;
}

export const DEFAULT_BLINK: BlinkOptions = { closedRatio: 0.65, reopenRatio: 0.85, minOpen: 0.18 };

export class BlinkDetector {
  private open = 0;
  private closedSeen = false;
  private blinked = false;
  frames = 0;

  constructor(private readonly o: BlinkOptions = DEFAULT_BLINK) {}

  /** Feeds one frame's 68 landmarks; true once a full blink (open → closed → open) was seen. */
  push(landmarks68: readonly Point[]): boolean {
    this.frames++;
    const e = eyeAspectRatio(landmarks68);
    if (this.blinked) return true;
    if (this.open >= this.o.minOpen && e < this.open * this.o.closedRatio) this.closedSeen = true;
    else if (this.closedSeen && e >= this.open * this.o.reopenRatio) this.blinked = true;
    if (!this.closedSeen) this.open = Math.max(this.open, e);
    return this.blinked;
  }

  get passed(): boolean {
    return this.blinked;
  }
}
