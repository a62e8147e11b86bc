// TD1 machine-readable zone (ICAO 9303-5) as on the Vietnamese CCCD, with check-digit verification.
import { z } from 'zod';
import { CccdError } from '../errors.js';

export const MrzKeySchema = z.object({
  /** 9 characters on a CCCD: the last 9 digits of the 12-digit ID number. Longer numbers are allowed by ICAO. */
  documentNumber: z.string().regex(/^[A-Z0-9<]{1,}$/),
  /** YYMMDD */
  dateOfBirth: z.string().regex(/^\d{6}$/),
  /** YYMMDD */
  dateOfExpiry: z.string().regex(/^\d{6}$/),
});
export type MrzKey = z.infer<typeof MrzKeySchema>;

const WEIGHTS = [7, 3, 1];

function charValue(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'A' && c <= 'Z') return c.charCodeAt(0) - 55;
  if (c === '<') return 0;
  throw new CccdError('MRZ_INVALID', `invalid MRZ character '${c}'`);
}

export function checkDigit(s: string): string {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += charValue(s[i]!) * WEIGHTS[i % 3]!;
  return String(sum % 10);
}

/** The BAC/PACE-MRZ key input: document number, DOB and expiry, each followed by its check digit. */
export function mrzInformation(k: MrzKey): string {
  const key = MrzKeySchema.parse(k);
  const doc = key.documentNumber.padEnd(9, '<');
  return doc + checkDigit(doc) + key.dateOfBirth + checkDigit(key.dateOfBirth) + key.dateOfExpiry + checkDigit(key.dateOfExpiry);
}

export const Td1Schema = z.object({
  documentCode: z.string(),
  issuingState: z.string(),
  documentNumber: z.string(),
  optionalData1: z.string(),
  dateOfBirth: z.string(),
  sex: z.enum(['M', 'F', 'X']),
  dateOfExpiry: z.string(),
  nationality: z.string(),
  optionalData2: z.string(),
  /** Surname and given names as printed in the MRZ (no diacritics; '<' replaced by spaces). */
  surname: z.string(),
  givenNames: z.string(),
  /** Full 12-digit CCCD number when the optional data carries it. */
  personalNumber: z.string().optional(),
  lines: z.tuple([z.string(), z.string(), z.string()]),
});
export type Td1 = z.infer<typeof Td1Schema>;

function clean(s: string): string {
  return s.replace(/<+$/, '').replace(/</g, ' ').trim();
}

export function parseTd1(mrz: string): Td1 {
  const flat = mrz.replace(/[\r\n]/g, '');
  if (flat.length !== 90) throw new CccdError('MRZ_INVALID', `TD1 MRZ must be 90 characters, got ${flat.length}`);
  if (!/^[A-Z0-9<]+$/.test(flat)) throw new CccdError('MRZ_INVALID', 'MRZ contains characters outside A-Z 0-9 <');
  const l1 = flat.slice(0, 30);
  const l2 = flat.slice(30, 60);
  const l3 = flat.slice(60, 90);
  const verify = (field: string, digit: string, what: string) => {
    if (checkDigit(field) !== digit) throw new CccdError('MRZ_INVALID', `${what} check digit mismatch`);
  };
  let documentNumber = l1.slice(5, 14);
  let optional1 = l1.slice(15, 30);
  if (l1[14] === '<') {
    // Long document number continues in the optional data, ended by its check digit (9303-5 §4.2.4).
    const m = /^([0-9A-Z]*?)([0-9])</.exec(optional1);
    if (!m) throw new CccdError('MRZ_INVALID', 'truncated long document number');
    verify(documentNumber + m[1], m[2]!, 'document number');
    documentNumber = documentNumber + m[1];
    optional1 = optional1.slice(m[0].length - 1);
  } else verify(documentNumber, l1[14]!, 'document number');
  verify(l2.slice(0, 6), l2[6]!, 'date of birth');
  verify(l2.slice(8, 14), l2[14]!, 'date of expiry');
  verify(l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29), l2[29]!, 'composite');
  const sexChar = l2[7] === '<' ? 'X' : l2[7]!;
  if (!['M', 'F', 'X'].includes(sexChar)) throw new CccdError('MRZ_INVALID', `bad sex field '${l2[7]}'`);
  const [surname = ''] = l3.split('<<');
  const personal = /^(\d{12})/.exec(optional1)?.[1];
  return Td1Schema.parse({
    documentCode: clean(l1.slice(0, 2)),
    issuingState: l1.slice(2, 5),
    documentNumber: clean(documentNumber),
    optionalData1: clean(optional1),
    dateOfBirth: l2.slice(0, 6),
    sex: sexChar,
    dateOfExpiry: l2.slice(8, 14),
    nationality: l2.slice(15, 18),
    optionalData2: clean(l2.slice(18, 29)),
    surname: clean(surname),
    givenNames: clean(l3.slice(surname.length + 2)),
    ...(personal ? { personalNumber: personal } : {}),
    lines: [l1, l2, l3],
  });
}

/** MRZ transliteration of Vietnamese: strip diacritics, Đ→D (ICAO 9303-3 §6). */
export function toMrzName(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toUpperCase().trim().split(/\s+/).join('<');
}

export interface Td1Input {
  documentNumber: string;
  personalNumber: string;
  dateOfBirth: string;
  sex: 'M' | 'F' | 'X';
  dateOfExpiry: string;
  surname: string;
  givenNames: string;
  issuingState?: string;
  nationality?: string;
}

/** Builds a CCCD-style TD1 MRZ: `IDVNM` + 9-digit number + check + 12-digit ID (+ its check digit). */
export function buildTd1(i: Td1Input): string {
  const f = (s: string, n: number) =>
    s
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '<')
      .padEnd(n, '<')
      .slice(0, n);
  const state = i.issuingState ?? 'VNM';
  const doc = f(i.documentNumber, 9);
  const opt1 = f(i.personalNumber, 15);
  const l1 = 'ID' + state + doc + checkDigit(doc) + opt1;
  const partial =
    i.dateOfBirth +
    checkDigit(i.dateOfBirth) +
    (i.sex === 'X' ? '<' : i.sex) +
    i.dateOfExpiry +
    checkDigit(i.dateOfExpiry) +
    (i.nationality ?? 'VNM') +
    f('', 11);
  const composite = checkDigit(l1.slice(5, 30) + partial.slice(0, 7) + partial.slice(8, 15) + partial.slice(18, 29));
  const l2 = partial + composite;
  const l3 = (toMrzName(i.surname) + '<<' + toMrzName(i.givenNames)).padEnd(30, '<').slice(0, 30);
  return l1 + l2 + l3;
}
