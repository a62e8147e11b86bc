/** Axis-aligned box in frame pixels: top-left (x1, y1), bottom-right (x2, y2). */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Point {
  x: number;
  y: number;
}

export function boxArea(b: Box): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

export function iou(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** Greedy non-maximum suppression; returns the kept indices, best score first. */
export function nonMaxSuppression(boxes: readonly Box[], scores: readonly number[], iouThreshold: number): number[] {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const keep: number[] = [];
  for (const i of order) {
    if (keep.every((k) => iou(boxes[i]!, boxes[k]!) <= iouThreshold)) keep.push(i);
  }
  return keep;
}
