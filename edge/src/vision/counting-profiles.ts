import type { ByteTrackerOptions } from './byte-tracker.js';

/**
 * How a counting camera is mounted. Each mount ships one set of settings (below); a camera's config
 * names its mount and may override single settings.
 * - `side`: a lane camera at head height looking along the lane, one person at a time, close. MoveNet
 *   MultiPose (≤ 6 people, 17 keypoints: the face keypoints drive the best-shot face crop).
 * - `oblique`: a high camera looking down at a concourse, entrance or hall; crowds, people 30–150 px
 *   tall. CenterNet at 640 px wide, no per-frame cap; the crossing is judged at the feet.
 * - `overhead`: a camera looking straight down over a door or passage. People seen from above are not
 *   what COCO detectors learnt; moving foreground blobs are counted instead (see motion-detector.ts),
 *   the crossing judged at the body centre.
 */
export type Mount = 'side' | 'oblique' | 'overhead';
export const MOUNTS: readonly Mount[] = ['side', 'oblique', 'overhead'];

export type DetectorKind = 'movenet' | 'centernet' | 'motion';

export interface CountingProfile {
  detector: DetectorKind;
  /** Width frames are decoded to (height follows the stream's shape); detection runs on these frames. */
  decodeWidth: number;
  /** Frames taken from the stream per second. */
  fps: number;
  /** Detector on every n-th frame; the tracker predicts in between. */
  detectEvery: number;
  /** Detector input width (multiple of 32; the height follows the frame's shape). */
  inputWidth: number;
  /** Score a detection needs to count as a person. */
  minScore: number;
  /** Which point of a person must cross the line. */
  anchor: 'bottom' | 'center';
  /** Dead band each side of the line, as a fraction of the frame height. */
  band: number;
  tracker: ByteTrackerOptions;
}

export const COUNTING_PROFILES: Record<Mount, CountingProfile> = {
  side: {
    detector: 'movenet',
    decodeWidth: 640,
    fps: 10,
    detectEvery: 1,
    inputWidth: 256,
    minScore: 0.12,
    anchor: 'bottom',
    band: 0.04,
    tracker: {},
  },
  oblique: {
    detector: 'centernet',
    decodeWidth: 768,
    fps: 10,
    detectEvery: 2,
    inputWidth: 768,
    minScore: 0.25,
    anchor: 'bottom',
    band: 0.02,
    tracker: { highScore: 0.3, lowScore: 0.15, matchIou: 0.1, lowMatchIou: 0.2, minHits: 2, maxLost: 10 },
  },
  overhead: {
    detector: 'motion',
    decodeWidth: 320,
    fps: 10,
    detectEvery: 1,
    inputWidth: 160,
    minScore: 0.5,
    anchor: 'center',
    band: 0.04,
    tracker: { highScore: 0.5, lowScore: 0.2, matchIou: 0.1, lowMatchIou: 0.2, minHits: 3, maxLost: 10 },
  },
};

/** Input height for `inputWidth` that keeps a frame's shape, rounded to a multiple of 32. */
export function inputHeightFor(inputWidth: number, frameW: number, frameH: number): number {
  return Math.max(64, Math.round((inputWidth * frameH) / frameW / 32) * 32);
}
