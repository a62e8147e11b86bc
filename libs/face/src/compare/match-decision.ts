import { cosineSimilarity } from './cosine.js';

/** Same-person decision against the calibrated threshold from models/manifest.json. */
export interface MatchDecision {
  match: boolean;
  similarity: number;
  threshold: number;
}

export function decideMatch(a: Float32Array, b: Float32Array, threshold: number): MatchDecision {
  const similarity = cosineSimilarity(a, b);
  return { match: similarity >= threshold, similarity, threshold };
}
