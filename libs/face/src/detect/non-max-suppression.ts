import { iou, type Box } from '../align/geometry.js';

/** Greedy NMS: indices of kept boxes, highest score first. */
export function nonMaxSuppression(boxes: readonly Box[], scores: readonly number[], iouThreshold: number): number[] {
  const order = scores
    .map((s, i) => [s, i] as const)
    .sort((p, q) => q[0] - p[0] || p[1] - q[1])
    .map(([, i]) => i);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.every((k) => iou(boxes[i], boxes[k]) <= iouThreshold)) kept.push(i);
  }
  return kept;
}
