// ISO/IEC 7816-4 command/response APDU coding, short and extended length.
import { CccdError } from '../errors.js';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected response length, 1..65536; undefined means no Le field. 256 is coded 00 in short form. */
  le?: number;
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

export function needsExtended(c: CommandApdu): boolean {
  return (c.data?.length ?? 0) > 255 || (c.le ?? 0) > 256;
}

export function encodeCommand(c: CommandApdu, forceExtended = false): Uint8Array {
  const data = c.data ?? new Uint8Array(0);
  const ext = forceExtended || needsExtended(c);
  const out: number[] = [c.cla, c.ins, c.p1, c.p2];
  if (data.length > 65535) throw new RangeError('command data too long');
  if (c.le !== undefined && (c.le < 1 || c.le > 65536)) throw new RangeError(`bad Le ${c.le}`);
  if (!ext) {
    if (data.length) out.push(data.length, ...data);
    if (c.le !== undefined) out.push(c.le & 0xff);
    return Uint8Array.from(out);
  }
  if (data.length) out.push(0, data.length >> 8, data.length & 0xff, ...data);
  if (c.le !== undefined) {
    if (!data.length) out.push(0);
    out.push((c.le >> 8) & 0xff, c.le & 0xff);
  }
  return Uint8Array.from(out);
}

/** Parses a command APDU (card side). Rejects inconsistent Lc/Le encodings. */
export function decodeCommand(b: Uint8Array): CommandApdu & { extended: boolean } {
  if (b.length < 4) throw new CccdError('PROTOCOL', 'APDU shorter than 4 bytes');
  const [cla, ins, p1, p2] = [b[0]!, b[1]!, b[2]!, b[3]!];
  const rest = b.subarray(4);
  if (rest.length === 0) return { cla, ins, p1, p2, extended: false };
  if (rest.length === 1) return { cla, ins, p1, p2, le: rest[0] || 256, extended: false };
  if (rest[0] !== 0) {
    const lc = rest[0]!;
    if (rest.length === 1 + lc) return { cla, ins, p1, p2, data: rest.subarray(1), extended: false };
    if (rest.length === 2 + lc) return { cla, ins, p1, p2, data: rest.subarray(1, 1 + lc), le: rest[1 + lc] || 256, extended: false };
    throw new CccdError('PROTOCOL', 'Lc does not match APDU length');
  }
  if (rest.length === 3) return { cla, ins, p1, p2, le: (rest[1]! << 8) | rest[2]! || 65536, extended: true };
  const lc = (rest[1]! << 8) | rest[2]!;
  if (lc === 0) throw new CccdError('PROTOCOL', 'extended Lc of zero');
  if (rest.length === 3 + lc) return { cla, ins, p1, p2, data: rest.subarray(3), extended: true };
  if (rest.length === 5 + lc) {
    const le = (rest[3 + lc]! << 8) | rest[4 + lc]! || 65536;
    return { cla, ins, p1, p2, data: rest.subarray(3, 3 + lc), le, extended: true };
  }
  throw new CccdError('PROTOCOL', 'extended Lc does not match APDU length');
}

export function parseResponse(b: Uint8Array): ResponseApdu {
  if (b.length < 2) throw new CccdError('PROTOCOL', `response of ${b.length} bytes has no status word`);
  return { data: b.subarray(0, b.length - 2), sw: (b[b.length - 2]! << 8) | b[b.length - 1]! };
}

export function encodeResponse(r: ResponseApdu): Uint8Array {
  const out = new Uint8Array(r.data.length + 2);
  out.set(r.data);
  out[r.data.length] = r.sw >> 8;
  out[r.data.length + 1] = r.sw & 0xff;
  return out;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}
