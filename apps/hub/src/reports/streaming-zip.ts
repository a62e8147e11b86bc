import { createRequire } from 'node:module';
import { Readable, type Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The part of archiver's API used here (archiver 5 ships no types). */
interface ZipArchive extends Transform {
  append(source: Readable, data: { name: string }): this;
  finalize(): Promise<void>;
}
const archiver = createRequire(import.meta.url)('archiver') as (format: 'zip', options: { zlib: { level: number } }) => ZipArchive;

const CLIENT_GONE = 'export: the client closed the connection';

/**
 * A ZIP archive written straight to a stream, one deflated entry after the other, through archiver
 * (zip-stream: data descriptors, UTF-8 names, ZIP64 past the 32-bit limits). The archive is piped to
 * the destination, so backpressure runs from the client back to the entry's source: the source is read
 * only as fast as the destination takes the archive, and memory stays at a few buffers whatever the size.
 * A destination that closes early fails the entry being written and stops reading its source.
 */
export class StreamingZip {
  private readonly archive = archiver('zip', { zlib: { level: 6 } });
  private readonly piped: Promise<void>;
  private failure: Error | undefined;

  constructor(out: Writable) {
    this.piped = pipeline(this.archive, out).catch((e: unknown) => {
      this.failure = (e as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' ? new Error(CLIENT_GONE) : (e as Error);
      throw this.failure;
    });
    this.piped.catch(() => undefined); // awaited by entry() and finish()
  }

  /** Writes one entry; the promise settles once archiver has taken all of it. */
  async entry(name: string, source: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): Promise<void> {
    if (this.failure) throw this.failure;
    const readable = Readable.from(source, { objectMode: false });
    const taken = new Promise<void>((resolve, reject) => {
      const onEntry = (e: { name: string }) => {
        if (e.name !== name) return;
        this.archive.off('entry', onEntry);
        resolve();
      };
      this.archive.on('entry', onEntry);
      readable.once('error', reject);
    });
    this.archive.append(readable, { name });
    try {
      await Promise.race([taken, this.piped.then(() => Promise.reject(new Error(CLIENT_GONE)))]);
    } catch (e) {
      readable.destroy(); // ends the source's generator: nothing more is read
      throw this.failure ?? e;
    }
  }

  /** Writes the central directory, ends the destination and waits until it has taken everything. */
  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
    await Promise.all([this.archive.finalize(), this.piped]);
  }
}
