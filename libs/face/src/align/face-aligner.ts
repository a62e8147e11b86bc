import type { RgbImage } from '../decode/rgb-image.js';
import { dlibChipTemplate, fivePointsFrom68, TEMPLATE_FIRST_LANDMARK } from './dlib-face-template.js';
import { invertAffine, type Affine, type Point } from './geometry.js';
import { estimateSimilarity } from './similarity-transform.js';
import { warpToRgb } from './warp.js';

/**
 * Similarity-transform alignment to an embedder's crop, fitted by least squares (pure arithmetic,
 * so deterministic):
 * - 'dlib-68': the 51 inner landmarks (iBUG 18–68) onto dlib's mean face in a size×size chip with
 *   0.25 padding, the chip dlib's recogniser was trained on;
 * - 'arcface-5': eye centres, nose tip and mouth corners onto the five reference points of the
 *   ArcFace/InsightFace 112×112 crop (scaled when the model's input is another size).
 */
export type AlignmentKind = 'dlib-68' | 'arcface-5';

/** InsightFace's reference five points in a 112×112 crop (image-left eye first). */
export const ARCFACE_112: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

export class FaceAligner {
  private readonly template: Point[];

  constructor(
    readonly size = 150,
    readonly kind: AlignmentKind = 'dlib-68',
    padding = 0.25,
  ) {
    this.template =
      kind === 'dlib-68' ? dlibChipTemplate(size, padding) : ARCFACE_112.map((p) => ({ x: (p.x * size) / 112, y: (p.y * size) / 112 }));
  }

  /** Frame → chip transform for a 68-point landmark set. */
  transform(landmarks68: readonly Point[]): Affine {
    if (landmarks68.length !== 68) throw new RangeError('alignment needs the 68 landmarks');
    const from = this.kind === 'dlib-68' ? landmarks68.slice(TEMPLATE_FIRST_LANDMARK) : fivePointsFrom68(landmarks68);
    return estimateSimilarity(from, this.template);
  }

  chip(img: RgbImage, frameToChip: Affine): RgbImage {
    return warpToRgb(img, invertAffine(frameToChip), this.size, this.size);
  }
}
