import type { Box, Point } from '../align/geometry.js';
import type { RgbImage } from '../decode/rgb-image.js';

/**
 * Capture-quality measures for one face: size, sharpness, pose and exposure, each with the limit it
 * is judged against, and the reasons a face is rejected. Sharpness and exposure are measured on the
 * aligned chip, so they are comparable between faces of different sizes.
 */
export interface QualityThresholds {
  /** Minimum distance between eye centres in frame pixels. */
  minInterocular: number;
  /** Minimum variance of the Laplacian on the grey chip (higher is sharper). */
  minSharpness: number;
  maxYawDegrees: number;
  maxPitchDegrees: number;
  maxRollDegrees: number;
  /** Mean grey level of the chip's face area must lie in [min, max] (0–255). */
  minBrightness: number;
  maxBrightness: number;
  /** Largest share of the face area that may be clipped (≤ 5 or ≥ 250). */
  maxClipped: number;
}

export const DEFAULT_QUALITY: QualityThresholds = {
  minInterocular: 24,
  minSharpness: 25,
  maxYawDegrees: 30,
  maxPitchDegrees: 25,
  maxRollDegrees: 25,
  minBrightness: 50,
  maxBrightness: 210,
  maxClipped: 0.2,
};

export type QualityReason = 'too-small' | 'blurred' | 'pose-yaw' | 'pose-pitch' | 'pose-roll' | 'too-dark' | 'too-bright' | 'clipped';

export interface FaceQuality {
  interocular: number;
  boxSize: number;
  sharpness: number;
  yaw: number;
  pitch: number;
  roll: number;
  brightness: number;
  clipped: number;
  ok: boolean;
  reasons: QualityReason[];
}

const DEG = 180 / Math.PI;

/** Eye-centre line angle, nose offset from the eye–mouth axis, and nose height along it. */
export function estimatePose(l: readonly Point[]): { yaw: number; pitch: number; roll: number; interocular: number } {
  const mean = (from: number, to: number): Point => {
    let x = 0,
      y = 0;
    for (let i = from; i <= to; i++) {
      x += l[i].x;
      y += l[i].y;
    }
    return { x: x / (to - from + 1), y: y / (to - from + 1) };
  };
  const le = mean(36, 41);
  const re = mean(42, 47);
  const mouth = mean(48, 67);
  const nose = l[30];
  const dx = re.x - le.x,
    dy = re.y - le.y;
  const interocular = Math.hypot(dx, dy);
  const roll = Math.atan2(dy, dx) * DEG;
  // Rotate into the face frame (eye line horizontal).
  const c = Math.cos(-roll / DEG),
    s = Math.sin(-roll / DEG);
  const rot = (p: Point) => ({ x: c * p.x - s * p.y, y: s * p.x + c * p.y });
  const [rle, rre, rm, rn] = [rot(le), rot(re), rot(mouth), rot(nose)];
  const eyeMid = { x: (rle.x + rre.x) / 2, y: (rle.y + rre.y) / 2 };
  const faceHeight = rm.y - eyeMid.y;
  // Yaw: nose tip offset from the eye midpoint, in half-interocular units (≈ sin(yaw) for a frontal
  // head model where the nose tip sits ~0.55 interocular in front of the eye plane).
  const yawRatio = (rn.x - eyeMid.x) / (interocular * 0.55);
  const yaw = Math.asin(Math.max(-1, Math.min(1, yawRatio))) * DEG;
  // Pitch: where the nose tip falls between eyes and mouth; dlib's mean face has it at 0.531.
  const pitchRatio = faceHeight > 0 ? (rn.y - eyeMid.y) / faceHeight - 0.531 : 0;
  const pitch = Math.asin(Math.max(-1, Math.min(1, pitchRatio / 0.5))) * DEG;
  return { yaw, pitch, roll, interocular };
}

/** Laplacian variance and exposure on the central part of the chip (the face, not the padding). */
export function chipMeasures(chip: RgbImage): { sharpness: number; brightness: number; clipped: number } {
  const { width, height, data } = chip;
  const grey = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) grey[i] = 0.299 * data[3 * i] + 0.587 * data[3 * i + 1] + 0.114 * data[3 * i + 2];
  const x0 = Math.round(width * 0.2),
    x1 = Math.round(width * 0.8);
  const y0 = Math.round(height * 0.2),
    y1 = Math.round(height * 0.85);
  let sum = 0,
    sumSq = 0,
    n = 0,
    bright = 0,
    clipped = 0,
    m = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const g = grey[y * width + x];
      bright += g;
      if (g <= 5 || g >= 250) clipped++;
      m++;
      const lap = grey[(y - 1) * width + x] + grey[(y + 1) * width + x] + grey[y * width + x - 1] + grey[y * width + x + 1] - 4 * g;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  const meanLap = sum / n;
  return { sharpness: sumSq / n - meanLap * meanLap, brightness: bright / m, clipped: clipped / m };
}

export function assessQuality(landmarks68: readonly Point[], box: Box, chip: RgbImage, t: QualityThresholds): FaceQuality {
  const pose = estimatePose(landmarks68);
  const measures = chipMeasures(chip);
  const reasons: QualityReason[] = [];
  if (pose.interocular < t.minInterocular) reasons.push('too-small');
  if (measures.sharpness < t.minSharpness) reasons.push('blurred');
  if (Math.abs(pose.yaw) > t.maxYawDegrees) reasons.push('pose-yaw');
  if (Math.abs(pose.pitch) > t.maxPitchDegrees) reasons.push('pose-pitch');
  if (Math.abs(pose.roll) > t.maxRollDegrees) reasons.push('pose-roll');
  if (measures.brightness < t.minBrightness) reasons.push('too-dark');
  if (measures.brightness > t.maxBrightness) reasons.push('too-bright');
  if (measures.clipped > t.maxClipped) reasons.push('clipped');
  return {
    interocular: pose.interocular,
    boxSize: Math.min(box.width, box.height),
    sharpness: measures.sharpness,
    yaw: pose.yaw,
    pitch: pose.pitch,
    roll: pose.roll,
    brightness: measures.brightness,
    clipped: measures.clipped,
    ok: reasons.length === 0,
    reasons,
  };
}
