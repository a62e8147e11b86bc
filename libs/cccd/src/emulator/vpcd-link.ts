// Attaches an emulated card to the vsmartcard `vpcd` pcscd driver, so it appears in a real PC/SC
// reader ("Virtual PCD 00 00"). vpcd listens on TCP (default 127.0.0.1:35963); frames are a 2-byte
// big-endian length then payload. 1-byte payloads are control: 00 power off, 01 power on, 02 reset,
// 04 get ATR; longer payloads are command APDUs to answer with a response APDU.
import { connect, type Socket } from 'node:net';
import type { ApduProcessor } from '../transport/in-process.js';
import { ensureVpcdQuickAck, VPCD_QUICKACK_HOST } from './vpcd-quickack.js';

export const VPCD_DEFAULT_PORT = 35963;

export interface ResettableCard extends ApduProcessor {
  reset(): void;
}

export class VpcdLink {
  private socket: Socket | undefined;
  private buffer = Buffer.alloc(0);

  constructor(
    private readonly card: ResettableCard,
    private readonly host = VPCD_QUICKACK_HOST,
    private readonly port = VPCD_DEFAULT_PORT,
  ) {}

  /** "Inserts" the card: connects to vpcd, retrying while pcscd is still loading the driver. */
  async insert(timeoutMs = 10000): Promise<void> {
    if (this.host === VPCD_QUICKACK_HOST) ensureVpcdQuickAck();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        this.socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(this.port, this.host, () => resolve(s));
          s.once('error', reject);
        });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    this.socket.setNoDelay(true);
    this.socket.on('data', (d) => this.onData(d));
    this.socket.on('error', () => undefined);
  }

  private onData(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    while (this.buffer.length >= 2) {
      const len = this.buffer.readUInt16BE(0);
      if (this.buffer.length < 2 + len) return;
      const payload = new Uint8Array(this.buffer.subarray(2, 2 + len));
      this.buffer = this.buffer.subarray(2 + len);
      this.handle(payload);
    }
  }

  private send(data: Uint8Array): void {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(data.length);
    this.socket?.write(Buffer.concat([head, Buffer.from(data)]));
  }

  private handle(p: Uint8Array): void {
    if (p.length === 1) {
      if (p[0] === 0x04) this.send(this.card.atr);
      else this.card.reset(); // power off / on / reset all start from a fresh chip state
      return;
    }
    this.send(this.card.process(p));
  }

  /** "Removes" the card. */
  async remove(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.end();
      s.destroy();
    });
  }
}
