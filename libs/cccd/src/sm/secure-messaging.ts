// ICAO 9303-11 §9.8 secure messaging, both roles (terminal: wrap command / unwrap response; card:
// unwrap command / wrap response). The send sequence counter is incremented exactly once before every
// command and once before every response, on both sides; any MAC failure ends the session.
import { BadMacError, CccdError } from '../errors.js';
import { pad, unpad } from '../crypto/padding.js';
import { concat, decodeTlvList, encodeLength, type Tlv } from '../tlv/ber-tlv.js';
import type { CommandApdu, ResponseApdu } from './apdu.js';
import type { SmCipher } from './sm-cipher.js';

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

function leField(le: number): Uint8Array {
  if (le <= 256) return Uint8Array.of(le & 0xff);
  return Uint8Array.of((le >> 8) & 0xff, le & 0xff);
}

function parseLe(v: Uint8Array): number {
  if (v.length === 1) return v[0] || 256;
  if (v.length === 2) return (v[0]! << 8) | v[1]! || 65536;
  throw new CccdError('SM_MALFORMED', `DO'97' of ${v.length} bytes`);
}

export class SecureMessaging {
  private ssc: Uint8Array;
  private broken = false;

  constructor(
    readonly cipher: SmCipher,
    initialSsc: Uint8Array,
  ) {
    this.ssc = Uint8Array.from(initialSsc);
  }

  /** Current SSC (copy), for tests and diagnostics. */
  get sendSequenceCounter(): Uint8Array {
    return Uint8Array.from(this.ssc);
  }

  get isBroken(): boolean {
    return this.broken;
  }

  private increment(): void {
    for (let i = this.ssc.length - 1; i >= 0; i--) {
      this.ssc[i] = (this.ssc[i]! + 1) & 0xff;
      if (this.ssc[i] !== 0) return;
    }
  }

  private fail(e: Error): never {
    this.broken = true;
    throw e;
  }

  private ensureUsable(): void {
    if (this.broken) throw new CccdError('SM_MALFORMED', 'secure messaging session was aborted; authenticate again');
  }

  private encryptedDo(ins: number, data: Uint8Array): Uint8Array {
    const enc = this.cipher.encrypt(pad(data, this.cipher.blockSize), this.ssc);
    // Odd INS carries BER-TLV data: DO'85' without the padding-content indicator (§9.8.4).
    if (ins & 1) return concat(Uint8Array.of(0x85), encodeLength(enc.length), enc);
    return concat(Uint8Array.of(0x87), encodeLength(enc.length + 1), Uint8Array.of(0x01), enc);
  }

  private decryptDo(d: Tlv): Uint8Array {
    let enc = d.value;
    if (d.tag === 0x87) {
      if (enc[0] !== 0x01) this.fail(new CccdError('SM_MALFORMED', "DO'87' without padding indicator 01"));
      enc = enc.subarray(1);
    }
    if (enc.length === 0 || enc.length % this.cipher.blockSize !== 0) {
      this.fail(new CccdError('SM_MALFORMED', 'encrypted data is not a whole number of blocks'));
    }
    return unpad(this.cipher.decrypt(enc, this.ssc));
  }

  // ---- terminal side ----

  wrapCommand(c: CommandApdu): CommandApdu {
    this.ensureUsable();
    this.increment();
    const header = Uint8Array.of(c.cla | 0x0c, c.ins, c.p1, c.p2);
    const do87 = c.data && c.data.length ? this.encryptedDo(c.ins, c.data) : new Uint8Array(0);
    const do97 = c.le !== undefined ? concat(Uint8Array.of(0x97, c.le > 256 ? 2 : 1), leField(c.le)) : new Uint8Array(0);
    const m = concat(pad(header, this.cipher.blockSize), do87, do97);
    const cc = this.cipher.mac(concat(this.ssc, m));
    const body = concat(do87, do97, Uint8Array.of(0x8e, 0x08), cc);
    const extended = body.length > 255 || (c.le ?? 0) > 256;
    return { cla: header[0]!, ins: c.ins, p1: c.p1, p2: c.p2, data: body, le: extended ? 65536 : 256 };
  }

  unwrapResponse(r: ResponseApdu, command: string): ResponseApdu {
    this.ensureUsable();
    this.increment();
    if (r.data.length === 0) {
      // A plain status word means the card dropped secure messaging (e.g. 6987/6988 for our MAC).
      this.fail(
        new CccdError(
          'SM_MALFORMED',
          `${command}: unprotected response SW ${r.sw.toString(16).toUpperCase()}, card ended secure messaging`,
        ),
      );
    }
    let dos: Tlv[];
    try {
      dos = decodeTlvList(r.data);
    } catch (e) {
      this.fail(new CccdError('SM_MALFORMED', `${command}: malformed protected response`, { cause: e }));
    }
    const enc = dos.find((d) => d.tag === 0x87 || d.tag === 0x85);
    const do99 = dos.find((d) => d.tag === 0x99);
    const do8e = dos.find((d) => d.tag === 0x8e);
    if (!do8e || do8e.value.length !== 8) this.fail(new BadMacError(`${command}: response without DO'8E'`));
    if (!do99 || do99.value.length !== 2) this.fail(new CccdError('SM_MALFORMED', `${command}: response without DO'99'`));
    const macInput = concat(this.ssc, enc?.raw ?? new Uint8Array(0), do99.raw);
    if (!constantTimeEqual(this.cipher.mac(macInput), do8e.value)) this.fail(new BadMacError(`${command} response`));
    const data = enc ? this.decryptDo(enc) : new Uint8Array(0);
    return { data, sw: (do99.value[0]! << 8) | do99.value[1]! };
  }

  // ---- card side ----

  /** Verifies and decrypts a protected command; throws BadMacError (card answers 6988). */
  unwrapCommand(c: CommandApdu): CommandApdu {
    this.ensureUsable();
    this.increment();
    if ((c.cla & 0x0c) !== 0x0c) this.fail(new CccdError('SM_MALFORMED', 'command is not protected'));
    let dos: Tlv[];
    try {
      dos = decodeTlvList(c.data ?? new Uint8Array(0));
    } catch (e) {
      this.fail(new CccdError('SM_MALFORMED', 'malformed protected command', { cause: e }));
    }
    const enc = dos.find((d) => d.tag === 0x87 || d.tag === 0x85);
    const do97 = dos.find((d) => d.tag === 0x97);
    const do8e = dos.find((d) => d.tag === 0x8e);
    if (!do8e || do8e.value.length !== 8) this.fail(new CccdError('SM_MALFORMED', "command without DO'8E'"));
    const header = Uint8Array.of(c.cla, c.ins, c.p1, c.p2);
    const m = concat(pad(header, this.cipher.blockSize), enc?.raw ?? new Uint8Array(0), do97?.raw ?? new Uint8Array(0));
    if (!constantTimeEqual(this.cipher.mac(concat(this.ssc, m)), do8e.value)) this.fail(new BadMacError('command'));
    const data = enc ? this.decryptDo(enc) : undefined;
    const le = do97 ? parseLe(do97.value) : undefined;
    return { cla: c.cla & ~0x0c, ins: c.ins, p1: c.p1, p2: c.p2, ...(data ? { data } : {}), ...(le !== undefined ? { le } : {}) };
  }

  wrapResponse(r: ResponseApdu, ins: number): ResponseApdu {
    this.ensureUsable();
    this.increment();
    const enc = r.data.length ? this.encryptedDo(ins, r.data) : new Uint8Array(0);
    const do99 = Uint8Array.of(0x99, 0x02, r.sw >> 8, r.sw & 0xff);
    const cc = this.cipher.mac(concat(this.ssc, enc, do99));
    return { data: concat(enc, do99, Uint8Array.of(0x8e, 0x08), cc), sw: r.sw };
  }
}
