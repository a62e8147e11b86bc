import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { constants, crc32, createDeflateRaw } from 'node:zlib';

/**
 * A ZIP archive written straight to a stream, one deflated entry after the other, with real
 * backpressure: an entry's source is read only as fast as the deflater takes it, and the deflater is
 * paused while the destination is behind (`drain`). Memory stays at a few buffers whatever the size.
 * Entries use data descriptors (sizes and CRC after the data, so nothing is buffered to learn them);
 * the central directory switches to ZIP64 records once an offset, a size or the entry count passes
 * the 32-bit limits.
 */
export class StreamingZip {
  private offset = 0;
  private readonly entries: { name: Buffer; crc: number; compressed: number; size: number; offset: number; time: number; date: number }[] = [];
  private closed = false;
  private readonly onClose = () => (this.closed = true);

  constructor(private readonly out: Writable) {
    out.once('close', this.onClose);
  }

  /** Writes one entry; the promise settles once all its bytes were handed to the destination. */
  async entry(name: string, source: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): Promise<void> {
    const nameBuf = Buffer.from(name, 'utf8');
    const { time, date } = dosTime(new Date());
    const offset = this.offset;
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed
    header.writeUInt16LE(0x0808, 6); // bit 3: sizes in a data descriptor; bit 11: UTF-8 name
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    // crc, sizes: 0 here, in the data descriptor after the data
    header.writeUInt16LE(nameBuf.length, 26);
    header.writeUInt16LE(0, 28);
    await this.write(Buffer.concat([header, nameBuf]));

    const deflate = createDeflateRaw({ level: constants.Z_DEFAULT_COMPRESSION });
    let compressed = 0;
    let crc = 0;
    let size = 0;
    deflate.on('data', (c: Buffer) => {
      compressed += c.length;
      this.offset += c.length;
      if (this.closed) return;
      // Paused while the destination is behind; its 'drain' resumes the deflater.
      if (!this.out.write(c)) {
        deflate.pause();
        this.out.once('drain', () => deflate.resume());
      }
    });
    const ended = once(deflate, 'end');
    ended.catch(() => undefined); // awaited below; an early failure must not be an unhandled rejection
    try {
      for await (const part of source) {
        // A client that went away stops the reads at once (the deflater's output goes nowhere now).
        if (this.closed) throw new Error('export: the client closed the connection');
        const buf = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
        if (buf.length === 0) continue;
        crc = crc32(buf, crc);
        size += buf.length;
        if (!deflate.write(buf)) await this.until(deflate, 'drain');
      }
      deflate.end();
      await this.until(deflate, 'end', ended);
    } catch (e) {
      deflate.destroy();
      throw e;
    }
    const zip64 = compressed > 0xfffffffe || size > 0xfffffffe;
    const dd = Buffer.alloc(zip64 ? 24 : 16);
    dd.writeUInt32LE(0x08074b50, 0);
    dd.writeUInt32LE(crc >>> 0, 4);
    if (zip64) {
      dd.writeBigUInt64LE(BigInt(compressed), 8);
      dd.writeBigUInt64LE(BigInt(size), 16);
    } else {
      dd.writeUInt32LE(compressed, 8);
      dd.writeUInt32LE(size, 12);
    }
    await this.write(dd);
    this.entries.push({ name: nameBuf, crc: crc >>> 0, compressed, size, offset, time, date });
  }

  /** Writes the central directory, ends the destination and waits until it has taken everything. */
  async finish(): Promise<void> {
    const cdStart = this.offset;
    for (const e of this.entries) {
      const big = e.compressed > 0xfffffffe || e.size > 0xfffffffe || e.offset > 0xfffffffe;
      const extra = big ? Buffer.alloc(4 + 24) : Buffer.alloc(0);
      if (big) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(24, 2);
        extra.writeBigUInt64LE(BigInt(e.size), 4);
        extra.writeBigUInt64LE(BigInt(e.compressed), 12);
        extra.writeBigUInt64LE(BigInt(e.offset), 20);
      }
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      // Made by Unix (3): names are taken as they are (UTF-8, bit 11), not translated from a DOS code page.
      h.writeUInt16LE((3 << 8) | (big ? 45 : 20), 4);
      h.writeUInt16LE(big ? 45 : 20, 6); // needed
      h.writeUInt16LE(0x0808, 8);
      h.writeUInt16LE(8, 10);
      h.writeUInt16LE(e.time, 12);
      h.writeUInt16LE(e.date, 14);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(big ? 0xffffffff : e.compressed, 20);
      h.writeUInt32LE(big ? 0xffffffff : e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt16LE(extra.length, 30);
      h.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
      h.writeUInt32LE(big ? 0xffffffff : e.offset, 42);
      await this.write(Buffer.concat([h, e.name, extra]));
    }
    const cdSize = this.offset - cdStart;
    const zip64 = cdStart > 0xfffffffe || cdSize > 0xfffffffe || this.entries.length > 0xfffe;
    if (zip64) {
      const end64At = this.offset;
      const r = Buffer.alloc(56 + 20);
      r.writeUInt32LE(0x06064b50, 0);
      r.writeBigUInt64LE(44n, 4);
      r.writeUInt16LE(45, 12);
      r.writeUInt16LE(45, 14);
      r.writeBigUInt64LE(BigInt(this.entries.length), 24);
      r.writeBigUInt64LE(BigInt(this.entries.length), 32);
      r.writeBigUInt64LE(BigInt(cdSize), 40);
      r.writeBigUInt64LE(BigInt(cdStart), 48);
      r.writeUInt32LE(0x07064b50, 56); // ZIP64 end of central directory locator
      r.writeBigUInt64LE(BigInt(end64At), 64);
      r.writeUInt32LE(1, 72);
      await this.write(r);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(zip64 ? 0xffff : this.entries.length, 8);
    end.writeUInt16LE(zip64 ? 0xffff : this.entries.length, 10);
    end.writeUInt32LE(zip64 ? 0xffffffff : cdSize, 12);
    end.writeUInt32LE(zip64 ? 0xffffffff : cdStart, 16);
    await this.write(end);
    const finished = once(this.out, 'finish');
    this.out.end();
    await this.until(this.out, 'finish', finished);
    this.out.off('close', this.onClose);
  }

  private async write(b: Buffer): Promise<void> {
    if (this.closed) throw new Error('export: the client closed the connection');
    this.offset += b.length;
    if (!this.out.write(b)) await this.until(this.out, 'drain');
  }

  /** Waits for an event of `s`; fails as soon as the destination is closed (the client went away). */
  private async until(s: NodeJS.EventEmitter, event: string, pending?: Promise<unknown[]>): Promise<void> {
    if (this.closed) throw new Error('export: the client closed the connection');
    const ac = new AbortController();
    try {
      await Promise.race([
        pending ?? once(s, event, { signal: ac.signal }),
        once(this.out, 'close', { signal: ac.signal }).then(() => {
          throw new Error('export: the client closed the connection');
        }),
      ]);
    } finally {
      ac.abort();
    }
  }
}

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((Math.max(1980, d.getFullYear()) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}
