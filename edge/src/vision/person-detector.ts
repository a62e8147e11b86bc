import type { RgbFrame } from '../camera/frame.js';
import type { Box, Point } from './geometry.js';

/** A face located inside a person detection (from pose keypoints or a face model). */
export interface FaceHint {
  box: Box;
  /** 0..1: how clearly the face is seen (keypoint confidence, frontalness, size). */
  quality: number;
}

export interface PersonDetection {
  box: Box;
  score: number;
  keypoints?: readonly (Point & { score: number })[];
  face?: FaceHint;
}

/** Finds people in one frame. Each implementation wraps one model behind the inference seam. */
export interface PersonDetector {
  readonly modelId: string;
  detect(frame: RgbFrame): Promise<PersonDetection[]>;
  dispose(): Promise<void>;
}
