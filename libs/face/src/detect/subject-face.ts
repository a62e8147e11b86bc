import type { Box, Point } from '../align/geometry.js';
import { estimatePose } from '../quality/face-quality.js';

/**
 * Which face is the subject's: not simply the largest box. A detector's false positive (a pattern
 * on a shirt, a poster behind the person, a face-like knot of hair in a 36 MP photo) can be larger
 * than the real face but its landmarks do not sit like a face's. Each candidate is scored by
 * detector confidence × landmark plausibility × relative size (square root, so size helps but does
 * not decide alone); a second plausible face of similar size means "several faces".
 */
export interface Candidate {
  box: Box;
  score: number;
  landmarks68: readonly Point[];
}

/** Share of simple face-geometry checks the 68 landmarks pass (0–1). */
export function landmarkPlausibility(l: readonly Point[], box: Box): number {
  const pose = estimatePose(l);
  const iod = pose.interocular;
  const mean = (a: number, b: number) => {
    let x = 0,
      y = 0;
    for (let i = a; i <= b; i++) [x, y] = [x + l[i].x, y + l[i].y];
    return { x: x / (b - a + 1), y: y / (b - a + 1) };
  };
  const r = (pose.roll * Math.PI) / 180;
  const up = (p: Point) => -Math.sin(-r) * p.x + Math.cos(-r) * p.y; // y in the face's frame (eye line level)
  const eyes = (up(mean(36, 41)) + up(mean(42, 47))) / 2;
  const nose = up(l[30]);
  const mouth = up(mean(48, 67));
  const mouthWidth = Math.hypot(l[54].x - l[48].x, l[54].y - l[48].y);
  const c = mean(0, 67);
  const side = Math.max(box.width, box.height);
  const checks = [
    iod / side >= 0.2 && iod / side <= 0.75, // eyes as far apart as a face's in its box
    eyes < nose && nose < mouth, // eyes above nose above mouth
    (mouth - eyes) / Math.max(1e-6, iod) >= 0.6 && (mouth - eyes) / Math.max(1e-6, iod) <= 1.8, // face proportions
    mouthWidth / Math.max(1e-6, iod) >= 0.45 && mouthWidth / Math.max(1e-6, iod) <= 1.6,
    Math.abs(pose.yaw) < 60 && Math.abs(pose.roll) < 60,
    c.x >= box.x && c.x <= box.x + box.width && c.y >= box.y && c.y <= box.y + box.height, // landmarks on the box
  ];
  return checks.filter(Boolean).length / checks.length;
}

export interface RankedCandidate<T extends Candidate> {
  candidate: T;
  plausibility: number;
  subjectScore: number;
}

/** Candidates best subject first. */
export function rankSubjects<T extends Candidate>(candidates: readonly T[]): RankedCandidate<T>[] {
  const largest = Math.max(1e-6, ...candidates.map((c) => Math.sqrt(c.box.width * c.box.height)));
  return candidates
    .map((candidate) => {
      const plausibility = landmarkPlausibility(candidate.landmarks68, candidate.box);
      const size = Math.sqrt(candidate.box.width * candidate.box.height) / largest;
      return { candidate, plausibility, subjectScore: candidate.score * plausibility ** 2 * Math.sqrt(size) };
    })
    .sort((a, b) => b.subjectScore - a.subjectScore);
}

/** Another plausible face at least `similar` × the subject's width: the photo shows several people. */
export function severalFaces(ranked: readonly { box: Box; plausibility: number }[], similar = 0.7, minPlausibility = 0.8): boolean {
  const [subject, ...rest] = ranked;
  if (!subject) return false;
  return rest.some((f) => f.plausibility >= minPlausibility && f.box.width >= similar * subject.box.width);
}
