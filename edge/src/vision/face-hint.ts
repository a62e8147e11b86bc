import type { Box, Point } from './geometry.js';
import type { FaceHint } from './person-detector.js';

/** COCO keypoint order used by MoveNet: nose, left eye, right eye, left ear, right ear, shoulders… */
const NOSE = 0;
const LEFT_EYE = 1;
const RIGHT_EYE = 2;
const LEFT_EAR = 3;
const RIGHT_EAR = 4;
const SEEN = 0.3;

/**
 * A face box from pose keypoints, when the face is seen from the front: nose and both eyes visible.
 * The box is centred between the eyes and nose and sized from the eye distance (about 2.6 eye
 * distances wide) or the ear distance when both ears are seen. Quality grows with keypoint confidence
 * and face width, so the best shot of a track is the clearest, largest frontal view.
 */
export function faceHintFromKeypoints(kp: readonly (Point & { score: number })[], person: Box): FaceHint | undefined {
  const nose = kp[NOSE];
  const le = kp[LEFT_EYE];
  const re = kp[RIGHT_EYE];
  if (!nose || !le || !re || nose.score < SEEN || le.score < SEEN || re.score < SEEN) return undefined;
  const eyeDist = Math.hypot(le.x - re.x, le.y - re.y);
  const lear = kp[LEFT_EAR];
  const rear = kp[RIGHT_EAR];
  const earDist = lear && rear && lear.score > SEEN && rear.score > SEEN ? Math.hypot(lear.x - rear.x, lear.y - rear.y) : 0;
  const size = Math.max(eyeDist * 2.6, earDist * 1.3);
  if (size < 4) return undefined;
  const cx = (le.x + re.x + nose.x) / 3;
  const cy = ((le.y + re.y) / 2) * 0.6 + nose.y * 0.4;
  const box: Box = {
    x1: Math.max(person.x1, cx - size / 2),
    y1: Math.max(person.y1, cy - size * 0.55),
    x2: Math.min(person.x2, cx + size / 2),
    y2: Math.min(person.y2, cy + size * 0.65),
  };
  // Frontal when the nose sits between the eyes.
  const minX = Math.min(le.x, re.x);
  const maxX = Math.max(le.x, re.x);
  const frontal = nose.x >= minX && nose.x <= maxX ? 1 : 0.5;
  const confidence = (nose.score + le.score + re.score) / 3;
  const sizeScore = Math.min(1, size / 80);
  return { box, quality: confidence * frontal * (0.3 + 0.7 * sizeScore) };
}
