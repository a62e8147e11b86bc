import sharp from 'sharp';
import { cosineSimilarity, decodeImage, type FacePipeline } from '../../../libs/face/src/index.js';
import type { FaceMatcher } from './lane-ports.js';

/**
 * libs/face behind the lane's FaceMatcher port: the embedder's calibrated 1:1 card threshold and its
 * REVIEW floor, chip photo (JPEG or JPEG 2000) embedding. A site override of the threshold keeps
 * the manifest's band width below it.
 */
export class PipelineFaceMatcher implements FaceMatcher {
  readonly threshold: number;
  readonly reviewThreshold: number;
  readonly livenessThreshold: number;
  readonly model: string;

  constructor(
    private readonly faces: FacePipeline,
    overrides: { threshold?: number; liveness?: number } = {},
  ) {
    const card = faces.thresholdsFor('card');
    const band = Math.max(
      0,
      faces.embedderEntry.thresholds.cosine !== undefined
        ? faces.embedderEntry.thresholds.cosine - (faces.embedderEntry.thresholds.cardReview ?? faces.embedderEntry.thresholds.cosine)
        : 0,
    );
    this.threshold = overrides.threshold ?? card.accept;
    this.reviewThreshold = overrides.threshold !== undefined ? overrides.threshold - band : card.review;
    this.livenessThreshold = overrides.liveness ?? faces.livenessThreshold;
    this.model = faces.embedderId;
  }

  embedReference(photo: Uint8Array): Promise<Float32Array | undefined> {
    return this.faces.embed(photo);
  }

  similarity(a: Float32Array, b: Float32Array): number {
    return cosineSimilarity(a, b);
  }

  async thumbnail(photo: Uint8Array): Promise<Uint8Array | undefined> {
    // Decoded by libs/face so a JPEG 2000 DG2 works too.
    const img = await decodeImage(photo);
    const jpeg = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
      .resize(112, 140, { fit: 'cover' })
      .jpeg({ quality: 70 })
      .toBuffer();
    return new Uint8Array(jpeg);
  }
}
