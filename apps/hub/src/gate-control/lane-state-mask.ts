import type { LaneState, Role } from '../../../../libs/contracts/src/index.js';

/** Roles that may see faces (live crop, chip photo) and card data on a lane, whatever the lane kind. */
export const FACE_ROLES: ReadonlySet<Role> = new Set(['admin', 'security', 'operator']);

/**
 * What a viewer may see of a lane. Admin and security see everything; an operator sees the faces (their
 * job is to compare them), the name, date of birth, sex, issue date and the last 3 digits of the ID number. Every other role (manager,
 * IOC wall) gets an allowlist of fields without faces, card data, match scores or watchlist entry: the
 * lane's phase and outcome only. An allowlist, so a field added to the lane state later stays hidden
 * until someone decides who may see it.
 */
export function maskLaneState(s: LaneState, role: Role): LaneState {
  if (role === 'admin' || role === 'security') return s;
  if (!FACE_ROLES.has(role)) {
    return {
      siteId: s.siteId,
      gateId: s.gateId,
      laneId: s.laneId,
      phase: s.phase,
      at: s.at,
      ...(s.decisionId !== undefined ? { decisionId: s.decisionId } : {}),
      ...(s.outcome !== undefined ? { outcome: s.outcome } : {}),
      ...(s.reasons !== undefined ? { reasons: s.reasons } : {}),
      ...(s.reviewDeadline !== undefined ? { reviewDeadline: s.reviewDeadline } : {}),
      ...(s.offline !== undefined ? { offline: s.offline } : {}),
    };
  }
  if (!s.card) return s;
  return {
    ...s,
    card: {
      ...(s.card.idNumber ? { idNumber: `*********${s.card.idNumber.slice(-3)}` } : {}),
      ...(s.card.fullName ? { fullName: s.card.fullName } : {}),
      // What the operator compares against on a VNeID/QR entrant: the person's data as the QR gives it.
      ...(s.card.dateOfBirth ? { dateOfBirth: s.card.dateOfBirth } : {}),
      ...(s.card.sex ? { sex: s.card.sex } : {}),
      ...(s.card.issueDate ? { issueDate: s.card.issueDate } : {}),
      ...(s.card.source ? { source: s.card.source } : {}),
      ...(s.card.genuine !== undefined ? { genuine: s.card.genuine } : {}),
    },
  };
}
