import sharp from 'sharp';
import { cosineSimilarity, decodeImage, type FacePipeline } from '../../../libs/face/src/index.js';
import type { FaceMatcher } from './lane-ports.js';

/** libs/face behind the lane's FaceMatcher port: calibrated threshold, chip photo (JPEG or JPEG 2000) embedding. */
export class PipelineFaceMatcher implements FaceMatcher {
  readonly threshold: number;
  readonly livenessThreshold: number;

  constructor(private readonly faces: FacePipeline, overrides: { threshold?: number; liveness?: number } = {}) {
    this.threshold = overrides.threshold ?? faces.matchThreshold;
    this.livenessThreshold = overrides.liveness ?? faces.livenessThreshold;
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
    const jpeg = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(112, 140, { fit: 'cover' }).jpeg({ quality: 70 }).toBuffer();
    return new Uint8Array(jpeg);
  }
}
