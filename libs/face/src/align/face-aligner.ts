import type { RgbImage } from '../decode/rgb-image.js';
import { dlibChipTemplate, TEMPLATE_FIRST_LANDMARK } from './dlib-face-template.js';
import { invertAffine, type Affine, type Point } from './geometry.js';
import { estimateSimilarity } from './similarity-transform.js';
import { warpToRgb } from './warp.js';

/**
 * Similarity-transform alignment to the embedder's crop: the 51 inner landmarks (iBUG 18–68) are
 * fitted by least squares onto dlib's mean face in a size×size chip with 0.25 padding, exactly
 * the chip dlib's recogniser was trained on. Pure arithmetic, so it is deterministic.
 */
export class FaceAligner {
  private readonly template: Point[];

  constructor(readonly size = 150, padding = 0.25) {
    this.template = dlibChipTemplate(size, padding);
  }

  /** Frame → chip transform for a 68-point landmark set. */
  transform(landmarks68: readonly Point[]): Affine {
    if (landmarks68.length !== 68) throw new RangeError('alignment needs the 68 landmarks');
    return estimateSimilarity(landmarks68.slice(TEMPLATE_FIRST_LANDMARK), this.template);
  }

  chip(img: RgbImage, frameToChip: Affine): RgbImage {
    return warpToRgb(img, invertAffine(frameToChip), this.size, this.size);
  }
}
