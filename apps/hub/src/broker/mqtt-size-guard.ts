import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { checkPayloadSize, type Oversize } from './payload-limits.js';

/** Any packet other than PUBLISH (CONNECT, SUBSCRIBE…) larger than this closes the connection. */
export const MAX_CONTROL_PACKET_BYTES = 64 * 1024;

/** What the broker decides about an oversized PUBLISH: acknowledge and drop it, or close the connection. */
export type OversizeVerdict = 'drop' | 'close';

/**
 * Sits between a gate's socket and aedes and reads only MQTT fixed headers and PUBLISH topics: a
 * PUBLISH whose payload is over its topic kind's limit (payload-limits.ts) never reaches aedes' parser
 * and is never held in memory; its bytes are skipped as they arrive. `onOversize` (which sees the
 * aedes client of this connection, to check its login) says whether to drop it (a QoS 1 message is
 * then acknowledged, so the gate does not send it again and again) or close the connection. Every
 * other byte passes through unchanged, in order.
 */
export class MqttSizeGuard extends Duplex {
  /** Set by aedes on the stream it handles (its Client). */
  client: unknown;
  private head: Buffer = Buffer.alloc(0);
  private pass = 0;
  private skip = 0;

  constructor(
    private readonly socket: Socket,
    private readonly onOversize: (o: Oversize, guard: MqttSizeGuard) => OversizeVerdict,
  ) {
    super({ allowHalfOpen: false });
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
    socket.on('end', () => this.push(null));
    socket.on('error', (e) => this.destroy(e));
    socket.on('close', () => this.destroy());
    socket.on('drain', () => this.emit('drain'));
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.socket.write(chunk)) cb();
    else this.socket.once('drain', () => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.socket.destroyed) this.socket.destroy(err ?? undefined);
    cb(err);
  }

  private out(b: Buffer): void {
    if (b.length && !this.push(b)) this.socket.pause();
  }

  private feed(chunk: Buffer): void {
    while (chunk.length > 0 && !this.destroyed) {
      if (this.pass > 0) {
        const n = Math.min(this.pass, chunk.length);
        this.out(chunk.subarray(0, n));
        this.pass -= n;
        chunk = chunk.subarray(n);
        continue;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length);
        this.skip -= n;
        chunk = chunk.subarray(n);
        continue;
      }
      this.head = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      chunk = Buffer.alloc(0);
      const h = this.head;
      if (h.length < 2) return;
      // Remaining length: a variable byte integer of 1–4 bytes after the first byte.
      let len = 0;
      let i = 1;
      for (let mult = 1; ; mult *= 128, i++) {
        if (i >= h.length) return; // more header to come
        if (i > 4) return void this.destroy(new Error('malformed MQTT remaining length'));
        len += (h[i]! & 0x7f) * mult;
        if ((h[i]! & 0x80) === 0) break;
      }
      const hdr = i + 1;
      const type = h[0]! >> 4;
      if (type !== 3) {
        if (len > MAX_CONTROL_PACKET_BYTES) return void this.destroy(new Error(`MQTT packet of ${len} bytes (type ${type}) refused`));
        this.out(h.subarray(0, hdr));
        this.pass = len;
        chunk = h.subarray(hdr);
        this.head = Buffer.alloc(0);
        continue;
      }
      // PUBLISH: topic length (2 bytes), topic, packet id when QoS > 0; the rest is the payload.
      const qos = (h[0]! >> 1) & 3;
      if (len < 2) {
        this.out(h.subarray(0, hdr));
        this.pass = len;
        chunk = h.subarray(hdr);
        this.head = Buffer.alloc(0);
        continue;
      }
      if (h.length < hdr + 2) return;
      const topicLen = h.readUInt16BE(hdr);
      const fixed = 2 + topicLen + (qos > 0 ? 2 : 0);
      if (fixed > len) {
        // Malformed: aedes' parser refuses it.
        this.out(h.subarray(0, hdr));
        this.pass = len;
        chunk = h.subarray(hdr);
        this.head = Buffer.alloc(0);
        continue;
      }
      if (h.length < hdr + fixed) return;
      const topic = h.toString('utf8', hdr + 2, hdr + 2 + topicLen);
      const over = checkPayloadSize(topic, len - fixed);
      if (!over) {
        this.out(h.subarray(0, hdr));
        this.pass = len;
        chunk = h.subarray(hdr);
        this.head = Buffer.alloc(0);
        continue;
      }
      const packetId = qos > 0 ? h.readUInt16BE(hdr + 2 + topicLen) : undefined;
      const have = Math.min(h.length, hdr + len);
      this.skip = hdr + len - have;
      chunk = h.subarray(have);
      this.head = Buffer.alloc(0);
      if (this.onOversize(over, this) === 'close' || qos === 2) return void this.destroy();
      // QoS 1: acknowledged (dropped and dead-lettered, resending it cannot help).
      // Through this stream's own write queue: never between the parts of a packet aedes is writing.
      if (packetId !== undefined) this.write(Buffer.from([0x40, 0x02, packetId >> 8, packetId & 0xff]));
    }
  }
}
