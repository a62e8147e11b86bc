import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ImageInputError } from '../decode/image-errors.js';
import type { FacePipeline } from '../pipeline/face-pipeline.js';
import type { FacePhoto } from './face-set.js';
import { equalErrorRate, ratesAt, thresholdAtFar, type RatesAt } from './roc.js';

/**
 * Every photo of a face set through the pipeline, every pair scored: failures to enrol with their
 * reason, genuine and impostor scores overall and within each group (a pair is in a group when both
 * people are), and the per-use thresholds derived from them.
 */
export type FteReason = 'no-face' | 'unreadable';

export interface Enrolled {
  photo: FacePhoto;
  embedding?: Float32Array;
  fte?: FteReason;
  detail?: string;
  /** Quality reasons of the face found (enrolled anyway for scoring; the hub would refuse it). */
  quality: string[];
}

export interface Scores {
  genuine: number[];
  impostor: number[];
}

export interface GroupRates {
  genuine: number;
  impostor: number;
  eer: number;
  atFar1: RatesAt;
  atFar01: RatesAt;
  impostorMax: number;
  genuineMin: number;
}

export interface Evaluation {
  photos: number;
  fte: Enrolled[];
  qualityRejected: Enrolled[];
  overall: Scores;
  byGroup: Map<string, Scores>;
}

export async function enrolSet(
  pipeline: FacePipeline,
  dir: string,
  photos: readonly FacePhoto[],
  onPhoto?: () => void,
): Promise<Enrolled[]> {
  const out: Enrolled[] = [];
  for (const photo of photos) {
    try {
      const [face] = await pipeline.analyze(await readFile(resolve(dir, photo.path)), { maxFaces: 1, liveness: false });
      if (!face?.embedding) out.push({ photo, fte: 'no-face', detail: 'no face found', quality: [] });
      else out.push({ photo, embedding: face.embedding, quality: face.quality.reasons });
    } catch (e) {
      if (!(e instanceof ImageInputError)) throw e;
      out.push({ photo, fte: 'unreadable', detail: `${e.code}: ${e.message}`, quality: [] });
    }
    onPhoto?.();
  }
  return out;
}

export function scoreEnrolled(pipeline: Pick<FacePipeline, 'compare'>, enrolled: readonly Enrolled[]): Omit<Evaluation, 'photos'> {
  const ok = enrolled.filter((e) => e.embedding);
  const overall: Scores = { genuine: [], impostor: [] };
  const byGroup = new Map<string, Scores>();
  for (let i = 0; i < ok.length; i++) {
    for (let j = i + 1; j < ok.length; j++) {
      const a = ok[i],
        b = ok[j];
      const s = pipeline.compare(a.embedding!, b.embedding!);
      const kind = a.photo.identity === b.photo.identity ? 'genuine' : 'impostor';
      overall[kind].push(s);
      if (a.photo.group === b.photo.group) {
        const g = byGroup.get(a.photo.group) ?? { genuine: [], impostor: [] };
        g[kind].push(s);
        byGroup.set(a.photo.group, g);
      }
    }
  }
  return {
    fte: enrolled.filter((e) => e.fte),
    qualityRejected: enrolled.filter((e) => e.embedding && e.quality.length),
    overall,
    byGroup,
  };
}

export async function evaluateSet(
  pipeline: FacePipeline,
  dir: string,
  photos: readonly FacePhoto[],
  onPhoto?: () => void,
): Promise<Evaluation> {
  const enrolled = await enrolSet(pipeline, dir, photos, onPhoto);
  return { photos: photos.length, ...scoreEnrolled(pipeline, enrolled) };
}

export function rates(s: Scores): GroupRates {
  return {
    genuine: s.genuine.length,
    impostor: s.impostor.length,
    eer: s.genuine.length && s.impostor.length ? equalErrorRate(s.genuine, s.impostor).eer : NaN,
    atFar1: thresholdAtFar(s.genuine, s.impostor, 0.01),
    atFar01: thresholdAtFar(s.genuine, s.impostor, 0.001),
    impostorMax: s.impostor.length ? Math.max(...s.impostor) : NaN,
    genuineMin: s.genuine.length ? Math.min(...s.genuine) : NaN,
  };
}

/**
 * The three uses and their target false-accept rate per comparison:
 * - card (1:1: is the holder the person on the CCCD chip?) — FAR 0.1 %;
 * - alert (1:N: a passer-by against every wanted person; one face is compared with N templates, so
 *   the per-comparison FAR must be N times smaller than the tolerable false-alert rate) — FAR 0.01 %;
 * - admit (1:N against an allowlist that opens the gate) — FAR 0.01 %.
 * Each accept threshold is the highest of the thresholds at that FAR over all impostor pairs and
 * within every group that has impostor pairs, so a group whose faces the model puts close together
 * (East Asian faces, for most public models) sets the threshold instead of being averaged away; it
 * sits midway between the highest impostor score that must be rejected and the next genuine score
 * of the whole set (the most TAR that keeps a margin).
 * The REVIEW band runs from its floor up to the accept threshold: such scores go to the operator
 * rather than to OPEN or DENY (for alerts: a "possible match" that security reviews). One rule for
 * every use: the floor is the lowest score at which the worst group's impostor pairs reach at most
 * REVIEW_FAR (1 %) — over the pooled impostors and every group with enough pairs to resolve 1 %
 * (≥ 100), the highest of those — so a wanted person scoring a little under "match" is never
 * silent, and the cost (about 1 in 100 impostor comparisons of the worst group goes to review) is
 * known and printed.
 */
export const USES = { card: 0.001, alert: 0.0001, admit: 0.0001 } as const;
/** Impostor pairs of the worst group allowed into the REVIEW / possible-match band. */
export const REVIEW_FAR = 0.01;

/**
 * Possible-match alerts per 1 000 passers who are on no list, for a watchlist of `listSize` entries,
 * when one comparison is a false possible match with probability `pairFar` (comparisons taken as
 * independent): 1 000 · (1 − (1 − FAR)^N). The review load security must staff for.
 */
export function reviewLoadPer1000(pairFar: number, listSize: number): number {
  return 1000 * (1 - Math.pow(1 - pairFar, listSize));
}
export type FaceUse = keyof typeof USES;

export interface UseThreshold {
  use: FaceUse;
  targetFar: number;
  accept: number;
  review: number;
  /** Rates at `accept`, overall and per group. */
  overall: RatesAt;
  byGroup: Record<string, RatesAt>;
  /** Rates at `review` (the floor of the REVIEW / possible-match band), overall and per group. */
  atReview: RatesAt;
  atReviewByGroup: Record<string, RatesAt>;
  /** The group whose impostors set the threshold. */
  setBy: string;
}

export function useThresholds(ev: Pick<Evaluation, 'overall' | 'byGroup'>): Record<FaceUse, UseThreshold> {
  const out = {} as Record<FaceUse, UseThreshold>;
  for (const [use, far] of Object.entries(USES) as [FaceUse, number][]) {
    const sets: [string, Scores][] = [['overall', ev.overall], ...[...ev.byGroup].filter(([, s]) => s.impostor.length > 0)];
    let accept = -Infinity,
      review = -Infinity,
      setBy = 'overall';
    for (const [name, s] of sets) {
      // A group's impostors set the floor; the threshold goes midway to the next genuine score of
      // anyone (pooled), not only of that group, so a group with few genuine pairs of its own does
      // not push the threshold far above its impostors and cost everyone TAR.
      const a = thresholdAtFar(ev.overall.genuine, s.impostor, far).threshold;
      if (a > accept) [accept, setBy] = [a, name];
      // The REVIEW floor comes from the pooled impostors and every group large enough to resolve
      // REVIEW_FAR: a group too small for it (fewer than 100 impostor pairs) would put the floor at
      // its highest impostor — the accept threshold — and leave no band at all, so a wanted person
      // scoring just under "match" would raise nothing. Its FAR at the floor is reported instead.
      // The floor sits just above the first impostor that must stay out (not midway to the next
      // genuine score as the accept threshold does): for a review band, lower is the safe side.
      if (name === 'overall' || s.impostor.length * REVIEW_FAR >= 1)
        review = Math.max(review, thresholdAtFar([], s.impostor, REVIEW_FAR).threshold);
    }
    review = Math.min(review, accept);
    out[use] = {
      use,
      targetFar: far,
      accept,
      review,
      overall: ratesAt(ev.overall.genuine, ev.overall.impostor, accept),
      byGroup: Object.fromEntries([...ev.byGroup].map(([g, s]) => [g, ratesAt(s.genuine, s.impostor, accept)])),
      atReview: ratesAt(ev.overall.genuine, ev.overall.impostor, review),
      atReviewByGroup: Object.fromEntries([...ev.byGroup].map(([g, s]) => [g, ratesAt(s.genuine, s.impostor, review)])),
      setBy,
    };
  }
  return out;
}
