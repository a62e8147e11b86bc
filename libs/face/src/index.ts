/**
 * libs/face — on-device face pipeline for the gate (1:1 chip photo vs live face) and the hub
 * (watchlist enrolment, 1:N). Start with FacePipeline.create(); see README "Face pipeline".
 */
export {
  FacePipeline,
  type AnalyzedFace,
  type AnalyzeOptions,
  type FacePipelineOptions,
  type ImageInput,
  type PipelineStage,
  type VerifyOutcome,
  type VerifyResult,
} from './pipeline/face-pipeline.js';

export type { Affine, Box, Point } from './align/geometry.js';
export { cosineSimilarity } from './compare/cosine.js';
export { decideMatch, type MatchDecision } from './compare/match-decision.js';
export { useThreshold, USE_KEYS, type FaceUse, type UseThreshold } from './compare/use-thresholds.js';
export { l2Normalise } from './embed/face-embedder.js';
export { DEFAULT_QUALITY, estimatePose, type FaceQuality, type QualityReason, type QualityThresholds } from './quality/face-quality.js';

export { decodeImage, DEFAULT_MAX_PIXELS, type DecodeOptions } from './decode/decode-image.js';
export { decodeJpeg2000, jpeg2000Size, jpeg2000Codestream, type Jpeg2000Options } from './decode/jpeg2000.js';
export { ImageInputError, type ImageInputErrorCode } from './decode/image-errors.js';
export type { RgbImage } from './decode/rgb-image.js';

export * from './inference/inference-backend.js';
export { OnnxBackend } from './inference/onnx-backend.js';
export { TfjsWasmBackend } from './inference/tfjs-wasm-backend.js';

export { ModelFileError } from './models/model-errors.js';
export { manifestSchema, type ModelEntry, type ModelManifest } from './models/manifest-schema.js';
export { defaultManifestPath, readManifest } from './models/model-files.js';

export { calibrate, scorePairs, type CalibrationReport } from './calibration/calibrate.js';
export { evaluateSet, enrolSet, scoreEnrolled, rates, useThresholds, USES, type Evaluation } from './calibration/evaluate.js';
export { readFaceSet, readGroups, type FacePhoto } from './calibration/face-set.js';
export { modelFor } from './pipeline/face-pipeline.js';
export { equalErrorRate, ratesAt, thresholdAtFar, type RatesAt } from './calibration/roc.js';
export { readPairs, parsePairsCsv, type LabelledPair } from './calibration/labelled-pairs.js';
export { BlinkDetector, eyeAspectRatio, DEFAULT_BLINK, type BlinkOptions } from './liveness/blink-challenge.js';
export { searchFaces, tiles, type SearchDepth } from './detect/face-search.js';
export { landmarkPlausibility, rankSubjects, severalFaces, type Candidate } from './detect/subject-face.js';
