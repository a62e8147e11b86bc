import type { Box, Point } from '../align/geometry.js';
import { warpToPlanar, type Normalisation } from '../align/warp.js';
import type { RgbImage } from '../decode/rgb-image.js';
import type { LoadedModel } from '../inference/inference-backend.js';

/**
 * 68-point landmarks (iBUG scheme) with face-api's FaceLandmark68Net: the detector box is centred in
 * a zero-padded square scaled to 112×112, as face-api feeds it. All boxes of a frame run as one batch.
 */
const SIZE = 112;

export class FaceLandmarker {
  constructor(
    private readonly model: LoadedModel,
    private readonly norm: Normalisation,
  ) {}

  async landmarks(img: RgbImage, boxes: readonly Box[]): Promise<Point[][]> {
    if (boxes.length === 0) return [];
    const plane = 3 * SIZE * SIZE;
    const tensor = new Float32Array(boxes.length * plane);
    const squares = boxes.map((box, i) => {
      const side = Math.max(box.width, box.height);
      const ox = box.x - (side - box.width) / 2;
      const oy = box.y - (side - box.height) / 2;
      const s = side / SIZE;
      warpToPlanar(img, { a: s, b: 0, c: ox, d: 0, e: s, f: oy }, SIZE, SIZE, this.norm, tensor, i * plane, box);
      return { ox, oy, side };
    });
    const out = await this.model.run({ input: { type: 'float32', dims: [boxes.length, 3, SIZE, SIZE], data: tensor } });
    const data = out[this.model.outputNames[0]].data as Float32Array;
    return squares.map(({ ox, oy, side }, i) =>
      Array.from({ length: 68 }, (_, k) => ({ x: ox + data[i * 136 + 2 * k] * side, y: oy + data[i * 136 + 2 * k + 1] * side })),
    );
  }
}
