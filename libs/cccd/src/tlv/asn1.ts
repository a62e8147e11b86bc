// Minimal DER helpers over the strict TLV parser: OIDs, INTEGERs, strings. Enough for eMRTD
// SecurityInfos, LDS security objects and DG13; certificates themselves go to node's X509Certificate.
import { CccdError } from '../errors.js';
import { concat, tlv, type Tlv } from './ber-tlv.js';

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export function encodeOid(oid: string): Uint8Array {
  const parts = oid.split('.').map((p) => BigInt(p));
  if (parts.length < 2) throw new RangeError(`bad OID ${oid}`);
  const out: number[] = [];
  const arcs = [parts[0]! * 40n + parts[1]!, ...parts.slice(2)];
  for (const arc of arcs) {
    const bytes: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) bytes.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}

export function decodeOid(v: Uint8Array): string {
  if (v.length === 0 || v.length > 64) throw new CccdError('DG_MALFORMED', 'bad OID length');
  const arcs: bigint[] = [];
  let acc = 0n;
  for (let i = 0; i < v.length; i++) {
    acc = (acc << 7n) | BigInt(v[i]! & 0x7f);
    if ((v[i]! & 0x80) === 0) {
      arcs.push(acc);
      acc = 0n;
    } else if (i === v.length - 1) throw new CccdError('DG_MALFORMED', 'truncated OID');
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

export function oid(o: string): Uint8Array {
  return tlv(TAG.OID, encodeOid(o));
}

export function derInteger(n: number | bigint): Uint8Array {
  let v = BigInt(n);
  if (v < 0n) throw new RangeError('negative INTEGER not needed here');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Uint8Array.from(bytes));
}

export function readInteger(t: Tlv, what: string): number {
  if (t.tag !== TAG.INTEGER || t.value.length === 0 || t.value.length > 6) {
    throw new CccdError('DG_MALFORMED', `${what}: expected a small INTEGER`);
  }
  let n = 0;
  for (const b of t.value) n = n * 256 + b;
  return n;
}

export function readOid(t: Tlv | undefined, what: string): string {
  if (!t || t.tag !== TAG.OID) throw new CccdError('DG_MALFORMED', `${what}: expected an OBJECT IDENTIFIER`);
  return decodeOid(t.value);
}

export function sequence(...parts: Uint8Array[]): Uint8Array {
  return tlv(TAG.SEQUENCE, ...parts);
}

/** DER SET OF: elements sorted by their encodings. */
export function setOf(...parts: Uint8Array[]): Uint8Array {
  const sorted = [...parts].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return tlv(TAG.SET, concat(...sorted));
}

export function utf8(s: string): Uint8Array {
  return tlv(TAG.UTF8_STRING, new TextEncoder().encode(s));
}

export function printable(s: string): Uint8Array {
  return tlv(TAG.PRINTABLE_STRING, new TextEncoder().encode(s));
}

export function octetString(b: Uint8Array): Uint8Array {
  return tlv(TAG.OCTET_STRING, b);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes any ASN.1 string type; UTF-8 is decoded strictly so mojibake is an error, not data. */
export function readString(t: Tlv, what: string): string {
  switch (t.tag) {
    case TAG.UTF8_STRING:
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case 0x14: // T61String, seen on some cards for plain ASCII
      try {
        return utf8Decoder.decode(t.value);
      } catch {
        throw new CccdError('DG_MALFORMED', `${what}: invalid UTF-8`);
      }
    case 0x1e: // BMPString
      return Buffer.from(t.value).swap16().toString('utf16le');
    default:
      throw new CccdError('DG_MALFORMED', `${what}: tag 0x${t.tag.toString(16)} is not a string`);
  }
}
