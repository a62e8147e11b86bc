import type { ModelEntry } from '../models/manifest-schema.js';

/**
 * A face comparison is used three ways, each with its own cosine threshold in the embedder's
 * manifest entry (written by `npm run face:calibrate -- --write`):
 * - card:  1:1, is the holder the person on the CCCD chip? (`cosine`, REVIEW from `cardReview`)
 * - alert: 1:N, is this passer-by a wanted person? (`alert`, possible match from `alertReview`)
 * - admit: 1:N, is this face on the allowlist that opens the gate? (`admit`, REVIEW from `admitReview`)
 * A score at or above `accept` is a match; in [review, accept) it goes to an operator; below, no match.
 */
export type FaceUse = 'card' | 'alert' | 'admit';

export interface UseThreshold {
  accept: number;
  review: number;
}

export const USE_KEYS: Record<FaceUse, { accept: string; review: string }> = {
  card: { accept: 'cosine', review: 'cardReview' },
  alert: { accept: 'alert', review: 'alertReview' },
  admit: { accept: 'admit', review: 'admitReview' },
};

/** The entry's thresholds for a use; a use without its own falls back to the 1:1 `cosine` (no REVIEW band). */
export function useThreshold(entry: Pick<ModelEntry, 'thresholds'>, use: FaceUse, cardOverride?: number): UseThreshold {
  const t = entry.thresholds;
  const card = cardOverride ?? t.cosine;
  if (typeof card !== 'number') throw new RangeError('embedder has no calibrated cosine threshold');
  const accept = use === 'card' ? card : (t[USE_KEYS[use].accept] ?? card);
  const review = Math.min(accept, use === 'card' && cardOverride !== undefined ? accept : (t[USE_KEYS[use].review] ?? accept));
  return { accept, review };
}
