import type { InferenceBackend } from '../../../libs/face/src/inference/inference-backend.js';
import { OnnxBackend } from '../../../libs/face/src/inference/onnx-backend.js';
import { TfjsWasmBackend } from '../../../libs/face/src/inference/tfjs-wasm-backend.js';
import { CenterNetDetector } from './centernet-detector.js';
import { inputHeightFor, type DetectorKind } from './counting-profiles.js';
import { MotionDetector } from './motion-detector.js';
import { MoveNetMultiPoseDetector } from './movenet-multipose-detector.js';
import type { PersonDetector } from './person-detector.js';
import { personModelPath } from './person-models.js';

export interface DetectorChoice {
  detector: DetectorKind;
  /** Size of the frames the detector will see. */
  frameWidth: number;
  frameHeight: number;
  /** Model input width (multiple of 32; the height follows the frame's shape) or working width (motion). */
  inputWidth: number;
  minScore: number;
  /** Overrides the manifest's model graph (movenet, centernet). */
  modelPath?: string;
  /** Overhead: one person's size from above as a fraction of the frame width (splits merged blobs). */
  personSize?: number;
}

/**
 * The person detector a counting camera's settings name. MoveNet runs on TF.js wasm (its graph
 * needs ops the ONNX conversion does not cover); CenterNet on onnxruntime, converted in memory (about
 * 3.5× less CPU than TF.js wasm for the same boxes). A backend given here is used instead.
 */
export async function createPersonDetector(c: DetectorChoice, backend?: InferenceBackend): Promise<PersonDetector> {
  switch (c.detector) {
    case 'movenet':
      return MoveNetMultiPoseDetector.create(backend ?? new TfjsWasmBackend(), {
        modelPath: c.modelPath ?? personModelPath('person-movenet-multipose'),
        inputWidth: c.inputWidth,
        inputHeight: inputHeightFor(c.inputWidth, c.frameWidth, c.frameHeight),
        minScore: c.minScore,
      });
    case 'centernet':
      return CenterNetDetector.create(backend ?? new OnnxBackend({ graphOptimization: 'all' }), {
        modelPath: c.modelPath ?? personModelPath('person-centernet'),
        inputWidth: c.inputWidth,
        inputHeight: inputHeightFor(c.inputWidth, c.frameWidth, c.frameHeight),
        minScore: c.minScore,
      });
    case 'motion':
      return new MotionDetector({ workWidth: c.inputWidth, ...(c.personSize !== undefined ? { personSize: c.personSize } : {}) });
  }
}
