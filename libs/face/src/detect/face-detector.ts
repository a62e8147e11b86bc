import type { Box } from '../align/geometry.js';
import { warpToPlanar, type Normalisation } from '../align/warp.js';
import type { RgbImage } from '../decode/rgb-image.js';
import type { LoadedModel } from '../inference/inference-backend.js';
import { nonMaxSuppression } from './non-max-suppression.js';

/**
 * Face detection with face-api's Tiny-YOLOv2 face detector (ONNX-converted). The frame is scaled so
 * its longer side is `inputSize` and padded at the bottom/right to a multiple of 32 (the net is fully
 * convolutional, so a 16:9 frame costs ~56% of a square one). Boxes come back in frame pixels.
 */
export interface DetectorOptions {
  /** Longer side of the network input, a multiple of 32 (face-api default 416). */
  inputSize: number;
  scoreThreshold: number;
  nmsIou: number;
  /** Faces smaller than this (shorter box side, frame pixels) are dropped. */
  minFaceSize?: number;
  /**
   * A first, cheaper pass over the whole frame at this input side (a multiple of 32, below
   * `inputSize`); its faces are kept when the largest spans at least LARGE_FACE_CELLS detector cells
   * there (a face that fills a good part of the frame: a lane camera, a portrait), otherwise the frame
   * is searched at `inputSize` as before. 0 or unset: no first pass.
   */
  largeFaceInputSize?: number;
}

/** A face at least this many 32-px cells wide in the small pass is large enough to trust it. */
export const LARGE_FACE_CELLS = 2;

export interface FaceDetection {
  box: Box;
  score: number;
}

const ANCHORS = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
] as const;
const CELL = 32;
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export class FaceDetector {
  constructor(
    private readonly model: LoadedModel,
    private readonly norm: Normalisation,
    readonly options: DetectorOptions,
  ) {
    if (options.inputSize % CELL !== 0 || options.inputSize < 64) throw new RangeError('detector inputSize must be a multiple of 32, ≥ 64');
    const small = options.largeFaceInputSize;
    if (small && (small % CELL !== 0 || small < 64 || small >= options.inputSize))
      throw new RangeError('detector largeFaceInputSize must be a multiple of 32, ≥ 64 and below inputSize');
  }

  /**
   * Network input for a window of the frame (default: the whole frame): tensor, its size, and the
   * frame-pixels-per-input-pixel scale. Window parts outside the frame read as zero (padding).
   */
  prepare(
    img: RgbImage,
    win: Box = { x: 0, y: 0, width: img.width, height: img.height },
    inputSize = this.options.inputSize,
  ): { tensor: Float32Array; width: number; height: number; scale: number } {
    const scale = Math.max(win.width, win.height) / inputSize;
    const width = Math.ceil(win.width / scale / CELL) * CELL;
    const height = Math.ceil(win.height / scale / CELL) * CELL;
    const tensor = new Float32Array(3 * width * height);
    warpToPlanar(img, { a: scale, b: 0, c: win.x, d: 0, e: scale, f: win.y }, width, height, this.norm, tensor);
    return { tensor, width, height, scale };
  }

  /** One detector pass over a window of the frame (whole frame by default); boxes in frame pixels. */
  async detect(img: RgbImage, win?: Box, inputSize = this.options.inputSize): Promise<FaceDetection[]> {
    const { tensor, width, height, scale } = this.prepare(img, win, inputSize);
    const out = await this.model.run({
      [this.model.inputNames[0] ?? 'input']: { type: 'float32', dims: [1, 3, height, width], data: tensor },
    });
    const grid = out[this.model.outputNames[0]];
    return this.decode(grid.data as Float32Array, grid.dims[2], grid.dims[3], scale, img, win?.x ?? 0, win?.y ?? 0);
  }

  /**
   * The whole frame: at `largeFaceInputSize` first when set, kept if its largest face is large there
   * (at least LARGE_FACE_CELLS cells), else at `inputSize`. `passes` counts the detector runs.
   */
  async detectWhole(img: RgbImage): Promise<{ faces: FaceDetection[]; passes: number }> {
    const small = this.options.largeFaceInputSize;
    if (small) {
      const faces = await this.detect(img, undefined, small);
      const scale = Math.max(img.width, img.height) / small;
      if (faces.some((f) => Math.min(f.box.width, f.box.height) / scale >= LARGE_FACE_CELLS * CELL)) return { faces, passes: 1 };
      return { faces: await this.detect(img), passes: 2 };
    }
    return { faces: await this.detect(img), passes: 1 };
  }

  decode(data: Float32Array, gh: number, gw: number, scale: number, img: RgbImage, offsetX = 0, offsetY = 0): FaceDetection[] {
    const boxes: Box[] = [];
    const scores: number[] = [];
    const plane = gh * gw;
    for (let a = 0; a < ANCHORS.length; a++) {
      for (let row = 0; row < gh; row++) {
        for (let col = 0; col < gw; col++) {
          const at = (k: number) => data[(a * 5 + k) * plane + row * gw + col];
          const score = sigmoid(at(4));
          if (score < this.options.scoreThreshold) continue;
          const cx = offsetX + (col + sigmoid(at(0))) * CELL * scale;
          const cy = offsetY + (row + sigmoid(at(1))) * CELL * scale;
          const w = Math.exp(at(2)) * ANCHORS[a][0] * CELL * scale;
          const h = Math.exp(at(3)) * ANCHORS[a][1] * CELL * scale;
          const x0 = Math.max(0, cx - w / 2);
          const y0 = Math.max(0, cy - h / 2);
          const x1 = Math.min(img.width, cx + w / 2);
          const y1 = Math.min(img.height, cy + h / 2);
          if (x1 - x0 < 2 || y1 - y0 < 2) continue;
          boxes.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
          scores.push(score);
        }
      }
    }
    const minSize = this.options.minFaceSize ?? 0;
    return nonMaxSuppression(boxes, scores, this.options.nmsIou)
      .map((i) => ({ box: boxes[i], score: scores[i] }))
      .filter((d) => Math.min(d.box.width, d.box.height) >= minSize);
  }
}
