import type { LaneState, Role } from '../../../../libs/contracts/src/index.js';

/**
 * What a console viewer may see of the card: admin and security see the full card data; an operator
 * sees the name and the last 3 digits of the ID number (enough to compare with the card in hand);
 * other roles no card data at all. Faces stay, since the operator's job is to compare them.
 */
export function maskLaneState(s: LaneState, role: Role): LaneState {
  if (!s.card || role === 'admin' || role === 'security') return s;
  if (role !== 'operator') {
    const { card: _card, faceJpeg: _f, chipJpeg: _c, ...rest } = s;
    return rest;
  }
  return {
    ...s,
    card: {
      ...(s.card.idNumber ? { idNumber: `*********${s.card.idNumber.slice(-3)}` } : {}),
      ...(s.card.fullName ? { fullName: s.card.fullName } : {}),
      ...(s.card.genuine !== undefined ? { genuine: s.card.genuine } : {}),
    },
  };
}
