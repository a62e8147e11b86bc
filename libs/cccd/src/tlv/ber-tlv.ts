// Strict BER-TLV (ISO/IEC 7816-4 / X.690 definite lengths). Card data is attacker-controlled, so every
// length is checked against the buffer and hard limits before anything is sliced or recursed into.
import { TlvError } from '../errors.js';

export interface Tlv {
  /** Tag bytes as a big-endian number, e.g. 0x5F1F, 0x7F61. */
  tag: number;
  constructed: boolean;
  /** Offset of the tag byte within the outermost buffer passed to the decoder. */
  offset: number;
  headerLength: number;
  /** Value bytes (a view into the decoded buffer, not a copy). */
  value: Uint8Array;
  /** The whole TLV (tag + length + value). */
  raw: Uint8Array;
  /** Parsed children when constructed. */
  children: Tlv[];
}

export interface TlvLimits {
  maxDepth: number;
  /** Largest single value accepted; eMRTD files are far below 1 MiB (DG2 photos are ~20 KB). */
  maxLength: number;
  /** Largest number of elements per constructed value, guards against pathological fan-out. */
  maxChildren: number;
  /**
   * Accept BER indefinite lengths (0x80 … 00 00) on constructed values. Off by default (card files are
   * DER); on for CMS SignedData, which some issuers encode that way. Bounds and depth still apply.
   */
  indefinite?: boolean;
}

export const DEFAULT_TLV_LIMITS: TlvLimits = { maxDepth: 24, maxLength: 4 * 1024 * 1024, maxChildren: 4096 };
/** For CMS structures (EF.SOD, master lists): the same bounds, BER indefinite lengths accepted. */
export const BER_TLV_LIMITS: TlvLimits = { ...DEFAULT_TLV_LIMITS, indefinite: true };

/** Length of an indefinite-length value, until its end-of-contents octets. */
const INDEFINITE = -1;

interface Header {
  tag: number;
  constructed: boolean;
  headerLength: number;
  length: number;
}

function readHeader(buf: Uint8Array, pos: number, end: number, base: number, limits: TlvLimits, valuePresent = true): Header {
  const start = pos;
  if (pos >= end) throw new TlvError('missing tag', base + pos);
  const first = buf[pos++]!;
  if (first === 0x00 || first === 0xff) throw new TlvError(`invalid tag byte 0x${first.toString(16)}`, base + start);
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    // Multi-byte tag: at most 3 bytes total here (ICAO tags are ≤ 2 bytes); b8 set means "more follows".
    let n = 0;
    for (;;) {
      if (pos >= end) throw new TlvError('truncated tag', base + start);
      const b = buf[pos++]!;
      tag = tag * 256 + b;
      if (++n > 2) throw new TlvError('tag too long', base + start);
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= end) throw new TlvError('missing length', base + pos);
  const l0 = buf[pos++]!;
  let length: number;
  if (l0 < 0x80) length = l0;
  else if (l0 === 0x80) {
    if (!limits.indefinite || (first & 0x20) === 0) throw new TlvError('indefinite length not allowed', base + pos - 1);
    return { tag, constructed: true, headerLength: pos - start, length: INDEFINITE };
  } else {
    const n = l0 & 0x7f;
    if (n > 4) throw new TlvError(`length field of ${n} bytes`, base + pos - 1);
    if (pos + n > end) throw new TlvError('truncated length', base + pos - 1);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos++]!;
  }
  if (length > limits.maxLength) throw new TlvError(`length ${length} exceeds limit ${limits.maxLength}`, base + start);
  if (valuePresent && pos + length > end) throw new TlvError(`length ${length} runs past the end of the data`, base + start);
  return { tag, constructed: (first & 0x20) !== 0, headerLength: pos - start, length };
}

function parseAt(buf: Uint8Array, pos: number, end: number, base: number, depth: number, limits: TlvLimits): Tlv {
  if (depth > limits.maxDepth) throw new TlvError(`nesting deeper than ${limits.maxDepth}`, base + pos);
  const h = readHeader(buf, pos, end, base, limits);
  const vStart = pos + h.headerLength;
  if (h.length === INDEFINITE) {
    // Children up to the end-of-contents octets (00 00), which end the raw TLV but not its value.
    const children: Tlv[] = [];
    let p = vStart;
    for (;;) {
      if (p + 2 > end) throw new TlvError('indefinite length without end-of-contents', base + pos);
      if (buf[p] === 0 && buf[p + 1] === 0) break;
      if (children.length >= limits.maxChildren) throw new TlvError(`more than ${limits.maxChildren} elements`, base + p);
      const c = parseAt(buf, p, end, base, depth + 1, limits);
      children.push(c);
      p += c.raw.length;
    }
    if (p - vStart > limits.maxLength) throw new TlvError(`length ${p - vStart} exceeds limit ${limits.maxLength}`, base + pos);
    return {
      tag: h.tag,
      constructed: true,
      offset: base + pos,
      headerLength: h.headerLength,
      value: buf.subarray(vStart, p),
      raw: buf.subarray(pos, p + 2),
      children,
    };
  }
  const vEnd = vStart + h.length;
  const value = buf.subarray(vStart, vEnd);
  const children = h.constructed ? parseList(buf, vStart, vEnd, base, depth + 1, limits) : [];
  return {
    tag: h.tag,
    constructed: h.constructed,
    offset: base + pos,
    headerLength: h.headerLength,
    value,
    raw: buf.subarray(pos, vEnd),
    children,
  };
}

function parseList(buf: Uint8Array, pos: number, end: number, base: number, depth: number, limits: TlvLimits): Tlv[] {
  const out: Tlv[] = [];
  while (pos < end) {
    if (out.length >= limits.maxChildren) throw new TlvError(`more than ${limits.maxChildren} elements`, base + pos);
    const t = parseAt(buf, pos, end, base, depth, limits);
    out.push(t);
    pos += t.raw.length;
  }
  return out;
}

/** Decodes exactly one TLV filling the whole buffer. */
export function decodeTlv(buf: Uint8Array, limits: TlvLimits = DEFAULT_TLV_LIMITS): Tlv {
  const t = parseAt(buf, 0, buf.length, 0, 0, limits);
  if (t.raw.length !== buf.length) throw new TlvError(`${buf.length - t.raw.length} trailing bytes`, t.raw.length);
  return t;
}

/** Decodes a concatenation of TLVs filling the whole buffer. */
export function decodeTlvList(buf: Uint8Array, limits: TlvLimits = DEFAULT_TLV_LIMITS): Tlv[] {
  return parseList(buf, 0, buf.length, 0, 0, limits);
}

/** Reads only the first header of a file (its value may not be read yet): the total TLV size. */
export function peekTlvTotalLength(head: Uint8Array, limits: TlvLimits = DEFAULT_TLV_LIMITS): number {
  const h = readHeader(head, 0, head.length, 0, limits, false);
  return h.headerLength + h.length;
}

export function child(t: Tlv, tag: number): Tlv | undefined {
  return t.children.find((c) => c.tag === tag);
}

export function requireChild(t: Tlv, tag: number, what: string): Tlv {
  const c = child(t, tag);
  if (!c) throw new TlvError(`${what}: missing tag 0x${tag.toString(16).toUpperCase()}`, t.offset);
  return c;
}

// ---- encoding ----

export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

export function encodeTag(tag: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = tag; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.from(bytes.length ? bytes : [0]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Encodes one TLV whose value is the concatenation of `parts`. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const value = concat(...parts);
  return concat(encodeTag(tag), encodeLength(value.length), value);
}
