// The QR code on the front of a CCCD: `ID|oldID|full name|ddmmyyyy DOB|sex|address|ddmmyyyy issue date`.
// It yields the CAN (last 6 digits of the ID) and, with the expiry derived from the age milestones of
// the identity law, the BAC key — so the operator never types anything.
import { z } from 'zod';
import { CccdError } from '../errors.js';
import type { MrzKey } from '../lds/mrz.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const CccdQrSchema = z.object({
  idNumber: z.string().regex(/^\d{12}$/),
  /** The 9-digit CMND number the card replaced, when any. */
  oldIdNumber: z
    .string()
    .regex(/^\d{9}$/)
    .optional(),
  fullName: z.string().min(1),
  dateOfBirth: isoDate,
  sex: z.enum(['Nam', 'Nữ']),
  address: z.string(),
  dateOfIssue: isoDate,
});
export type CccdQr = z.infer<typeof CccdQrSchema>;

function parseDdmmyyyy(s: string, what: string): string {
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(s);
  if (!m) throw new CccdError('QR_INVALID', `${what} '${s}' is not ddmmyyyy`);
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || y < 1900) {
    throw new CccdError('QR_INVALID', `${what} '${s}' is not a calendar date`);
  }
  return `${m[3]}-${m[2]}-${m[1]}`;
}

export function parseCccdQr(text: string): CccdQr {
  const t = text.normalize('NFC').replace(/[\r\n]+$/, '');
  const parts = t.split('|');
  if (parts.length !== 7) throw new CccdError('QR_INVALID', `expected 7 '|'-separated fields, got ${parts.length}`);
  const [id, old, name, dob, sex, address, issue] = parts.map((p) => p.trim()) as [string, string, string, string, string, string, string];
  if (!/^\d{12}$/.test(id)) throw new CccdError('QR_INVALID', 'ID number must be 12 digits');
  if (old !== '' && !/^\d{9}$/.test(old)) throw new CccdError('QR_INVALID', 'old ID number must be empty or 9 digits');
  if (sex !== 'Nam' && sex !== 'Nữ') throw new CccdError('QR_INVALID', `sex '${sex}' is neither Nam nor Nữ`);
  const dateOfBirth = parseDdmmyyyy(dob, 'date of birth');
  const dateOfIssue = parseDdmmyyyy(issue, 'issue date');
  if (dateOfIssue < dateOfBirth) throw new CccdError('QR_INVALID', 'issue date precedes date of birth');
  const r = CccdQrSchema.safeParse({
    idNumber: id,
    ...(old ? { oldIdNumber: old } : {}),
    fullName: name,
    dateOfBirth,
    sex,
    address,
    dateOfIssue,
  });
  if (!r.success) throw new CccdError('QR_INVALID', r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

/**
 * Card expiry from the age milestones (14, 25, 40, 60; a card issued within two years before a
 * milestone runs to the next one; from 58 on it does not expire). Returns ISO date or null.
 */
export function deriveExpiry(dateOfBirth: string, dateOfIssue: string): string | null {
  const [y, m, d] = dateOfBirth.split('-');
  for (const age of [14, 25, 40, 60]) {
    const milestone = `${String(Number(y) + age).padStart(4, '0')}-${m}-${d}`;
    const cutoff = `${String(Number(y) + age - 2).padStart(4, '0')}-${m}-${d}`;
    if (dateOfIssue < cutoff) return milestone;
  }
  return null;
}

export interface QrAccess {
  can: string;
  /** BAC key when the expiry could be derived (cards without expiry need the printed MRZ). */
  mrz?: MrzKey;
  derivedExpiry: string | null;
}

const yymmdd = (iso: string) => iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);

export function accessFromQr(qr: CccdQr): QrAccess {
  const expiry = deriveExpiry(qr.dateOfBirth, qr.dateOfIssue);
  return {
    can: qr.idNumber.slice(-6),
    derivedExpiry: expiry,
    ...(expiry ? { mrz: { documentNumber: qr.idNumber.slice(3), dateOfBirth: yymmdd(qr.dateOfBirth), dateOfExpiry: yymmdd(expiry) } } : {}),
  };
}
