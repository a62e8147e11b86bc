// Scores as an operator reads them: words first (i18n keys), the number beside them.

export type Level = 'good' | 'warn' | 'bad' | 'none';

/**
 * 1:1 face similarity against the lane's threshold: well above it is a strong match, just above it a
 * match near the threshold, just below uncertain, far below no match. No chip photo (a QR entrant):
 * nothing for the machine to compare.
 */
export function similarityWords(score: number | undefined, threshold: number | undefined, noPhoto: boolean): { key: string; level: Level } {
  if (score === undefined) return { key: noPhoto ? 'sim_none' : '', level: 'none' };
  const thr = threshold ?? 0.4;
  if (score >= thr + 0.15) return { key: 'sim_high', level: 'good' };
  if (score >= thr + 0.05) return { key: 'sim_ok', level: 'good' };
  if (score >= thr) return { key: 'sim_near', level: 'warn' };
  if (score >= thr - 0.1) return { key: 'sim_low', level: 'warn' };
  return { key: 'sim_no', level: 'bad' };
}

/** Liveness score (0–1): a live person, probably one, or a suspected photo/screen. */
export function livenessWords(score: number | undefined): { key: string; level: Level } {
  if (score === undefined) return { key: '', level: 'none' };
  if (score >= 0.9) return { key: 'live_high', level: 'good' };
  if (score >= 0.6) return { key: 'live_mid', level: 'warn' };
  return { key: 'live_low', level: 'bad' };
}
