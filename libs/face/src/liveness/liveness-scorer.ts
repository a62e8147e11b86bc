import type { Box } from '../align/geometry.js';
import { warpToInterleaved, warpToPlanar, type Normalisation } from '../align/warp.js';
import type { RgbImage } from '../decode/rgb-image.js';
import type { LoadedModel } from '../inference/inference-backend.js';

/**
 * Presentation-attack (print/screen) score from a single frame with Human's antispoof model:
 * probability the face is real. An indicative screen only; it is not a certified PAD (ISO 30107-3)
 * and its threshold has not been calibrated on attack samples.
 */
export class LivenessScorer {
  constructor(
    private readonly model: LoadedModel,
    private readonly norm: Normalisation,
    private readonly size: number,
    private readonly layout: 'NHWC' | 'NCHW',
    private readonly enlarge = 1.2,
  ) {}

  async score(img: RgbImage, boxes: readonly Box[]): Promise<number[]> {
    if (boxes.length === 0) return [];
    const s = this.size;
    const per = 3 * s * s;
    const tensor = new Float32Array(boxes.length * per);
    boxes.forEach((box, i) => {
      const side = Math.max(box.width, box.height) * this.enlarge;
      const ox = box.x + box.width / 2 - side / 2;
      const oy = box.y + box.height / 2 - side / 2;
      const m = { a: side / s, b: 0, c: ox, d: 0, e: side / s, f: oy };
      if (this.layout === 'NHWC') warpToInterleaved(img, m, s, s, this.norm, tensor, i * per);
      else warpToPlanar(img, m, s, s, this.norm, tensor, i * per);
    });
    const dims = this.layout === 'NHWC' ? [boxes.length, s, s, 3] : [boxes.length, 3, s, s];
    const feeds = { [this.model.inputNames[0]]: { type: 'float32' as const, dims, data: tensor } };
    const out = await this.model.run(feeds);
    const data = out[this.model.outputNames[0]].data as Float32Array;
    const stride = data.length / boxes.length;
    return boxes.map((_, i) => data[i * stride]);
  }
}
