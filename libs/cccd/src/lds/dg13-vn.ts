// DG13 of the Vietnamese CCCD: 6D → SEQUENCE { INTEGER version, OID, SET OF SEQUENCE { INTEGER n, value } }.
// Fields are keyed by number; 1–13 have known meanings, anything else is kept raw, missing ones are
// tolerated (cards and readers in the wild differ on 14–16).
import { z } from 'zod';
import { CccdError } from '../errors.js';
import { decodeTlv, tlv, type Tlv } from '../tlv/ber-tlv.js';
import { derInteger, oid, printable, readInteger, readOid, readString, sequence, setOf, TAG, utf8 } from '../tlv/asn1.js';

export const Dg13FieldSchema = z.object({
  /** Decoded strings of the field, in order (field 13 holds father and mother). */
  values: z.array(z.string()),
  /** The value bytes as read, hex, so unknown encodings are never lost. */
  rawHex: z.string(),
});
export type Dg13Field = z.infer<typeof Dg13FieldSchema>;

export const Dg13Schema = z.object({
  version: z.number().int().optional(),
  oid: z.string().optional(),
  fields: z.record(z.string().regex(/^\d+$/), Dg13FieldSchema),
  idNumber: z.string().optional(),
  fullName: z.string().optional(),
  dateOfBirth: z.string().optional(),
  sex: z.string().optional(),
  nationality: z.string().optional(),
  ethnicity: z.string().optional(),
  religion: z.string().optional(),
  placeOfOrigin: z.string().optional(),
  placeOfResidence: z.string().optional(),
  identifyingMarks: z.string().optional(),
  dateOfIssue: z.string().optional(),
  dateOfExpiry: z.string().optional(),
  fatherName: z.string().optional(),
  motherName: z.string().optional(),
});
export type Dg13 = z.infer<typeof Dg13Schema>;

const NAMED: ReadonlyArray<[number, keyof Dg13]> = [
  [1, 'idNumber'],
  [2, 'fullName'],
  [3, 'dateOfBirth'],
  [4, 'sex'],
  [5, 'nationality'],
  [6, 'ethnicity'],
  [7, 'religion'],
  [8, 'placeOfOrigin'],
  [9, 'placeOfResidence'],
  [10, 'identifyingMarks'],
  [11, 'dateOfIssue'],
  [12, 'dateOfExpiry'],
];

function collectStrings(t: Tlv, depth = 0): string[] {
  if (t.tag === TAG.SEQUENCE || t.tag === TAG.SET) {
    if (depth > 3) return [];
    return t.children.flatMap((c) => collectStrings(c, depth + 1));
  }
  try {
    return [readString(t, 'DG13 field')];
  } catch {
    return [];
  }
}

function isFieldSequence(t: Tlv): boolean {
  return t.tag === TAG.SEQUENCE && t.children.length >= 1 && t.children[0]!.tag === TAG.INTEGER;
}

export function parseDg13(bytes: Uint8Array): Dg13 {
  const outer = decodeTlv(bytes);
  if (outer.tag !== 0x6d) throw new CccdError('DG_MALFORMED', 'DG13 does not start with tag 6D');
  const seq = outer.children[0];
  if (!seq || seq.tag !== TAG.SEQUENCE) throw new CccdError('DG_MALFORMED', 'DG13 content is not a SEQUENCE');
  const result: Dg13 = { fields: {} };
  // Field sequences may sit in a SET (as specified) or directly in the outer SEQUENCE (seen in the wild).
  const candidates: Tlv[] = [];
  for (const c of seq.children) {
    if (c.tag === TAG.INTEGER && result.version === undefined && candidates.length === 0) result.version = readInteger(c, 'DG13 version');
    else if (c.tag === TAG.OID && result.oid === undefined) result.oid = readOid(c, 'DG13 OID');
    else if (c.tag === TAG.SET || (c.tag === TAG.SEQUENCE && !isFieldSequence(c))) candidates.push(...c.children);
    else candidates.push(c);
  }
  for (const f of candidates) {
    if (!isFieldSequence(f)) continue;
    const n = readInteger(f.children[0]!, 'DG13 field number');
    if (n < 1 || n > 255) throw new CccdError('DG_MALFORMED', `DG13 field number ${n} out of range`);
    const rest = f.children.slice(1);
    const values = rest.flatMap((c) => collectStrings(c));
    const key = String(n);
    if (result.fields[key]) throw new CccdError('DG_MALFORMED', `DG13 field ${n} appears twice`);
    result.fields[key] = { values, rawHex: Buffer.concat(rest.map((c) => c.raw)).toString('hex') };
  }
  for (const [n, name] of NAMED) {
    const v = result.fields[String(n)]?.values[0];
    if (v !== undefined) (result as Record<string, unknown>)[name] = v;
  }
  const parents = result.fields['13']?.values ?? [];
  if (parents[0] !== undefined) result.fatherName = parents[0];
  if (parents[1] !== undefined) result.motherName = parents[1];
  return Dg13Schema.parse(result);
}

export interface Dg13Input {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: string;
  nationality: string;
  ethnicity: string;
  religion: string;
  placeOfOrigin: string;
  placeOfResidence: string;
  identifyingMarks: string;
  dateOfIssue: string;
  dateOfExpiry: string;
  fatherName: string;
  motherName: string;
  /** Extra numbered fields (14+), encoded as UTF8String. */
  extra?: Record<number, string>;
}

/** The DG13 object identifier used by the test card (the national one is not published). */
export const TEST_DG13_OID = '2.16.704.1.2.13';

export function buildDg13(i: Dg13Input): Uint8Array {
  const field = (n: number, ...values: Uint8Array[]) => sequence(derInteger(n), ...values);
  const fields = [
    field(1, printable(i.idNumber)),
    field(2, utf8(i.fullName)),
    field(3, printable(i.dateOfBirth)),
    field(4, utf8(i.sex)),
    field(5, utf8(i.nationality)),
    field(6, utf8(i.ethnicity)),
    field(7, utf8(i.religion)),
    field(8, utf8(i.placeOfOrigin)),
    field(9, utf8(i.placeOfResidence)),
    field(10, utf8(i.identifyingMarks)),
    field(11, printable(i.dateOfIssue)),
    field(12, utf8(i.dateOfExpiry)),
    field(13, sequence(utf8(i.fatherName), utf8(i.motherName))),
    ...Object.entries(i.extra ?? {}).map(([n, v]) => field(Number(n), utf8(v))),
  ];
  return tlv(0x6d, sequence(derInteger(1), oid(TEST_DG13_OID), setOf(...fields)));
}
