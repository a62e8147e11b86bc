import type { TestCard } from './test-card.js';

/** The QR printed on the front of a test CCCD (the format parseCccdQr reads), as a lane scanner sees it. */
export function testCardQr(card: TestCard): string {
  const p = card.person;
  const d = (s: string) => s.replaceAll('/', '');
  return [card.idNumber, '', p.fullName, d(p.dateOfBirth), p.sex, p.placeOfResidence, d(p.dateOfIssue)].join('|');
}
