import type { Box } from '../align/geometry.js';
import type { RgbImage } from '../decode/rgb-image.js';
import type { FaceDetection, FaceDetector } from './face-detector.js';
import { nonMaxSuppression } from './non-max-suppression.js';

/**
 * Finding faces at every scale a gate and a card produce, with one small detector:
 * 1. the whole frame scaled to the detector input (a face 1/7 of the frame or larger);
 * 2. when nothing is found, the frame padded by 40 % and then 100 % on every side — a close-up
 *    portrait that fills the frame (how an ID-card chip photo is framed) or a tight 112 px crop
 *    has no context around the face, which this detector needs;
 * 3. (`thorough`) when still nothing is found and the frame is much larger than the detector
 *    input, a pyramid of overlapping tiles (each tile scaled to the detector input), coarse to
 *    fine down to tiles of 1.5× the input, stopping at the first level with a face (a small face
 *    in a large photo: an 80 px face in a 35 MP photo costs ~200 passes, 2–3 s, on enrolment only).
 * Each later step runs only when the earlier ones found nothing, so a frame with a face costs one pass.
 */
/** 'single': the whole-frame pass only (presence polling); 'fast': + padded retries; 'thorough': + tiles. */
export type SearchDepth = 'single' | 'fast' | 'thorough';

export interface SearchStep {
  kind: 'whole' | 'padded' | 'tiles';
  /** Detector passes this step made. */
  passes: number;
}

export const PADDINGS = [0.4, 1.0] as const;
/** Tiles overlap by a quarter so a face on a tile border is whole in a neighbour. */
const OVERLAP = 0.25;

export async function searchFaces(
  detector: FaceDetector,
  img: RgbImage,
  depth: SearchDepth = 'thorough',
  onStep?: (step: SearchStep) => void,
): Promise<FaceDetection[]> {
  const { faces: whole, passes } = await detector.detectWhole(img);
  onStep?.({ kind: 'whole', passes });
  if (whole.length || depth === 'single') return whole;

  for (const pad of PADDINGS) {
    const win: Box = { x: -img.width * pad, y: -img.height * pad, width: img.width * (1 + 2 * pad), height: img.height * (1 + 2 * pad) };
    const found = await detector.detect(img, win);
    onStep?.({ kind: 'padded', passes: 1 });
    if (found.length) return found;
  }
  if (depth === 'fast') return [];

  const input = detector.options.inputSize;
  const longSide = Math.max(img.width, img.height);
  const sides: number[] = [];
  // Tiles from 1.5× the detector input (a face of ~50 px in the original reaches the detector at ~35 px).
  for (let side = Math.round(input * 1.5); side < longSide; side *= 2) sides.unshift(side);
  for (const side of sides) {
    const windows = tiles(img.width, img.height, side);
    const boxes: Box[] = [];
    const scores: number[] = [];
    for (const win of windows) {
      for (const d of await detector.detect(img, win)) {
        boxes.push(d.box);
        scores.push(d.score);
      }
    }
    onStep?.({ kind: 'tiles', passes: windows.length });
    if (boxes.length) return nonMaxSuppression(boxes, scores, detector.options.nmsIou).map((i) => ({ box: boxes[i], score: scores[i] }));
  }
  return [];
}

/** Overlapping side×side windows covering a width×height frame. */
export function tiles(width: number, height: number, side: number): Box[] {
  const starts = (length: number): number[] => {
    if (length <= side) return [0];
    const stride = side * (1 - OVERLAP);
    const n = Math.ceil((length - side) / stride) + 1;
    const step = (length - side) / (n - 1);
    return Array.from({ length: n }, (_, i) => Math.round(i * step));
  };
  return starts(height).flatMap((y) =>
    starts(width).map((x) => ({ x, y, width: Math.min(side, width - x), height: Math.min(side, height - y) })),
  );
}
