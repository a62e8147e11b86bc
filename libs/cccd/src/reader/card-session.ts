// APDU exchange with a card: plain or under secure messaging, GET RESPONSE / wrong-Le retries,
// file selection and chunked READ BINARY (short or extended Le, odd-INS for offsets past 32 KiB).
import { CardStatusError, CccdError } from '../errors.js';
import { decodeTlv, peekTlvTotalLength, tlv, concat } from '../tlv/ber-tlv.js';
import { encodeCommand, hex, needsExtended, parseResponse, type CommandApdu, type ResponseApdu } from '../sm/apdu.js';
import type { SecureMessaging } from '../sm/secure-messaging.js';
import type { CardTransport } from '../transport/transport.js';
import type { StatsRecorder } from './apdu-stats.js';

export const EMRTD_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01]);

export interface CardSessionOptions {
  timeoutMs: number;
  /** Largest plaintext chunk per READ BINARY; above 223 needs extended-length support end to end. */
  maxReadChunk: number;
  /** Hard cap on any one file, so a hostile card cannot make us read forever. */
  maxFileSize: number;
}

export const DEFAULT_SESSION_OPTIONS: CardSessionOptions = { timeoutMs: 5000, maxReadChunk: 223, maxFileSize: 1024 * 1024 };

// Short-APDU ceiling under SM: 256-byte response minus DO'87' header, padding, DO'99', DO'8E'.
const SHORT_SM_CHUNK = 223;

export class CardSession {
  private sm: SecureMessaging | undefined;
  readonly options: CardSessionOptions;

  constructor(
    readonly transport: CardTransport,
    readonly stats: StatsRecorder,
    options: Partial<CardSessionOptions> = {},
  ) {
    this.options = { ...DEFAULT_SESSION_OPTIONS, ...options };
  }

  get secureMessaging(): SecureMessaging | undefined {
    return this.sm;
  }

  startSecureMessaging(sm: SecureMessaging): void {
    this.sm = sm;
  }

  private async raw(cmd: CommandApdu): Promise<ResponseApdu> {
    const bytes = encodeCommand(cmd);
    if (needsExtended(cmd) && !this.transport.supportsExtendedLength) {
      throw new CccdError('TRANSPORT', 'extended-length APDU needed but the reader does not support it');
    }
    const out = await this.transport.transmit(bytes, this.options.timeoutMs);
    this.stats.count(bytes.length, out.length);
    return parseResponse(out);
  }

  /** Sends a command, applying SM if active; returns the (unwrapped) response without checking the SW. */
  async send(cmd: CommandApdu, label: string): Promise<ResponseApdu> {
    if (!this.sm) {
      let r = await this.raw(cmd);
      if ((r.sw & 0xff00) === 0x6c00) r = await this.raw({ ...cmd, le: r.sw & 0xff || 256 });
      // T=0 style chaining: collect 61xx continuations with GET RESPONSE.
      let data = r.data;
      while ((r.sw & 0xff00) === 0x6100) {
        r = await this.raw({ cla: 0, ins: 0xc0, p1: 0, p2: 0, le: r.sw & 0xff || 256 });
        data = concat(data, r.data);
      }
      return { data, sw: r.sw };
    }
    const wrapped = this.sm.wrapCommand(cmd);
    let r = await this.raw(wrapped);
    let data = r.data;
    while ((r.sw & 0xff00) === 0x6100) {
      r = await this.raw({ cla: 0, ins: 0xc0, p1: 0, p2: 0, le: r.sw & 0xff || 256 });
      data = concat(data, r.data);
    }
    return this.sm.unwrapResponse({ data, sw: r.sw }, label);
  }

  async sendOk(cmd: CommandApdu, label: string, accept: number[] = [0x9000]): Promise<ResponseApdu> {
    const r = await this.send(cmd, label);
    if (!accept.includes(r.sw)) throw new CardStatusError(r.sw, label);
    return r;
  }

  async selectApplication(aid: Uint8Array = EMRTD_AID): Promise<void> {
    await this.sendOk({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: aid }, `SELECT AID ${hex(aid)}`);
  }

  async selectMasterFile(): Promise<void> {
    await this.sendOk({ cla: 0, ins: 0xa4, p1: 0x00, p2: 0x0c, data: Uint8Array.of(0x3f, 0x00) }, 'SELECT MF');
  }

  async selectFile(fid: number): Promise<void> {
    await this.sendOk(
      { cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Uint8Array.of(fid >> 8, fid & 0xff) },
      `SELECT EF ${fid.toString(16).toUpperCase().padStart(4, '0')}`,
    );
  }

  private chunkLimit(): number {
    const ext = this.transport.supportsExtendedLength;
    return Math.max(1, Math.min(this.options.maxReadChunk, ext ? 65535 - 64 : SHORT_SM_CHUNK));
  }

  /** READ BINARY of the selected EF; 6282 (end of file) is a success with fewer bytes. */
  async readBinary(offset: number, length: number, label: string): Promise<Uint8Array> {
    if (offset <= 0x7fff) {
      const r = await this.sendOk({ cla: 0, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le: length }, label, [0x9000, 0x6282]);
      return r.data;
    }
    // Offsets past 15 bits need READ BINARY with odd INS and the offset in DO'54'.
    const off =
      offset > 0xffff ? Uint8Array.of(offset >> 16, (offset >> 8) & 0xff, offset & 0xff) : Uint8Array.of(offset >> 8, offset & 0xff);
    const r = await this.sendOk(
      { cla: 0, ins: 0xb1, p1: 0, p2: 0, data: tlv(0x54, off), le: Math.min(65536, length + 4) },
      label,
      [0x9000, 0x6282],
    );
    const wrapped = decodeTlv(r.data);
    if (wrapped.tag !== 0x53) throw new CccdError('PROTOCOL', `${label}: odd-INS READ BINARY without DO'53'`);
    return wrapped.value;
  }

  /** Selects and reads a whole EF whose content is one BER-TLV (all LDS files are). */
  async readFile(fid: number, name: string): Promise<Uint8Array> {
    await this.selectFile(fid);
    const head = await this.readBinary(0, 8, `READ ${name}`);
    if (head.length < 2) throw new CccdError('PROTOCOL', `${name}: file shorter than a TLV header`);
    const total = peekTlvTotalLength(head, { maxDepth: 1, maxChildren: 1, maxLength: this.options.maxFileSize });
    const out = new Uint8Array(total);
    const first = head.subarray(0, Math.min(head.length, total));
    out.set(first);
    let pos = first.length;
    const chunk = this.chunkLimit();
    while (pos < total) {
      const want = Math.min(chunk, total - pos);
      const got = await this.readBinary(pos, want, `READ ${name}`);
      if (got.length === 0) throw new CccdError('PROTOCOL', `${name}: card returned no data at offset ${pos} of ${total}`);
      out.set(got.subarray(0, Math.min(got.length, total - pos)), pos);
      pos += got.length;
    }
    return out;
  }
}
