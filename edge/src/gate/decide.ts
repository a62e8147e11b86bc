import type { Decision } from '../../../libs/contracts/src/index.js';
import type { LanePolicy } from './lane-config.schema.js';
import type { CaptureFailure, ListHit, LiveFace } from './lane-ports.js';

/** Everything the lane learnt about one entrant, in the order the steps ran. */
export interface DecisionFacts {
  method: NonNullable<Decision['method']>;
  /** A step ended without a result (card_removed, chip_timeout, access_denied, chip_error…). */
  failure?: string;
  chipGenuine?: boolean;
  /** The chip photo had no usable face. */
  referenceMissing?: boolean;
  face?: LiveFace | CaptureFailure;
  similarity?: number;
  watch?: ListHit;
  /** A watchlist entry scored in the alert REVIEW band: a possible wanted person, for an operator to judge. */
  watchNear?: ListHit;
  /** Anti-passback: already inside this zone. */
  alreadyInside?: boolean;
  /** The hub's lists have never reached this edge: no watchlist answer is a real "not listed". */
  listsUnsynced?: boolean;
  /** A VNeID QR checked online: `verified` gives a photo to compare like a chip's; else why not. */
  vneid?: 'verified' | 'no_photo' | 'refused' | 'unavailable';
}

export interface Verdict {
  outcome: 'open' | 'deny' | 'review';
  reasons: string[];
}

/**
 * The lane's rules, first match wins: watchlist → a failed step → a chip that is not genuine → the
 * live face (camera, presence, liveness) → 1:1 similarity (a narrow band below the threshold goes to
 * an operator) → anti-passback → lists never synced. Pure, so every rule is unit-tested without hardware.
 */
export function decide(f: DecisionFacts, policy: LanePolicy, thresholds: { match: number; liveness: number; review?: number }): Verdict {
  if (f.watch?.listKind === 'watchlist') return { outcome: 'deny', reasons: ['watchlist_hit'] };
  if (f.failure) return { outcome: 'deny', reasons: [f.failure] };
  if (f.chipGenuine === false)
    return { outcome: policy.onPassiveAuthFail === 'review' ? 'review' : 'deny', reasons: ['passive_auth_failed'] };

  if (f.method !== 'count_only') {
    if (f.face === 'camera_unavailable')
      return { outcome: policy.onCameraDown === 'review' ? 'review' : 'deny', reasons: ['camera_unavailable'] };
    if (f.face === 'no_face' || f.face === undefined) return { outcome: 'deny', reasons: ['no_face'] };
    if (!f.face.qualityOk) return { outcome: 'deny', reasons: ['face_quality'] };
    const livenessFloor = policy.livenessThreshold ?? thresholds.liveness;
    // Under the active challenge the passive score is advisory: a low one sends the entrant to the operator.
    if (f.face.liveness !== undefined && f.face.liveness < livenessFloor && policy.livenessCheck !== 'challenge')
      return { outcome: 'deny', reasons: ['liveness_failed'] };
  }

  const unsynced = f.listsUnsynced ? ['watchlist_not_synced'] : [];
  // Passive liveness is not a proven screen (advisory): the active challenge, a blink, or an operator decides.
  const faceGate = f.method !== 'count_only' && typeof f.face === 'object';
  const live = faceGate ? (f.face as LiveFace) : undefined;
  const passiveLow =
    live &&
    policy.livenessCheck === 'challenge' &&
    live.liveness !== undefined &&
    live.liveness < (policy.livenessThreshold ?? thresholds.liveness);
  const livenessDoubt =
    passiveLow && live.challenge === 'passed'
      ? ['liveness_passive_low']
      : live && policy.livenessCheck === 'blink' && live.challenge !== 'passed'
        ? ['liveness_unverified']
        : live && policy.livenessCheck === 'challenge' && live.challenge !== 'passed'
          ? // The operator sees which step failed and how (wrong order, too slow, frozen, looped).
            [
              'liveness_challenge_failed',
              ...(live.challengeFailure
                ? [`challenge_step_${live.challengeFailure.step}`, `challenge_${live.challengeFailure.reason}`]
                : []),
            ]
          : live && policy.livenessCheck === 'operator'
            ? ['liveness_operator_check']
            : undefined;
  // A chip photo, or the portrait of an online-verified VNeID identity: 1:1 against the live face.
  if (f.method === 'chip_face' || (f.method === 'qr_face' && f.vneid === 'verified')) {
    if (f.referenceMissing || f.similarity === undefined) return { outcome: 'review', reasons: ['chip_photo_unusable'] };
    if (f.similarity < thresholds.match) {
      const near = f.similarity >= (thresholds.review ?? thresholds.match - policy.reviewMargin);
      return near ? { outcome: 'review', reasons: ['face_uncertain'] } : { outcome: 'deny', reasons: ['face_mismatch'] };
    }
  }
  // A VNeID QR not verified online carries no photo to compare with: an operator looks at the face.
  // No verifier configured → `qr_needs_operator`; configured but no confirmation → `vneid_unverified`.
  if (f.method === 'qr_face' && f.vneid !== 'verified') {
    if (f.alreadyInside) return { outcome: 'deny', reasons: ['anti_passback'] };
    return { outcome: 'review', reasons: [...(f.vneid ? ['vneid_unverified', `vneid_${f.vneid}`] : ['qr_needs_operator']), ...unsynced] };
  }
  if (f.alreadyInside) return { outcome: 'deny', reasons: ['anti_passback'] };
  if (livenessDoubt) return { outcome: 'review', reasons: [...livenessDoubt, ...unsynced] };
  // Close to a wanted person's face but below the alert threshold: an operator looks before the gate opens.
  if (f.watchNear && f.method !== 'count_only') return { outcome: 'review', reasons: ['watchlist_possible_match', ...unsynced] };
  // Counting lanes keep the crowd moving; identity lanes do not pass someone the watchlist never saw.
  if (unsynced.length && f.method !== 'count_only') return { outcome: policy.onListsUnsynced, reasons: unsynced };
  return { outcome: 'open', reasons: unsynced };
}
