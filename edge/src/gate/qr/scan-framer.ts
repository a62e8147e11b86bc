import type { QrTerminator } from './qr-input-config.schema.js';

export type ScanResult = { text: string } | { error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Cuts a scanner's byte stream into scans: at the terminator (CR, LF, CRLF) or after an idle gap.
 * A stray CR/LF around a scan (a CR-configured scanner sending CRLF) is ignored. Scans longer than
 * `maxLength` bytes are dropped whole (bytes are discarded up to the next terminator) and reported;
 * bytes that are not UTF-8 are reported too. Never throws.
 */
export class ScanFramer {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Inside an oversized scan: discard until its end. */
  private discarding = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly terminator: QrTerminator,
    private readonly maxLength: number,
    private readonly emit: (r: ScanResult) => void,
  ) {}

  push(data: Buffer): void {
    if (typeof this.terminator === 'object') {
      this.append(data);
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.end(), this.terminator.idleMs);
      return;
    }
    const endByte = this.terminator === 'CR' ? 0x0d : 0x0a; // CRLF ends at its LF
    let from = 0;
    for (let i = data.indexOf(endByte); i !== -1; i = data.indexOf(endByte, from)) {
      this.append(data.subarray(from, i));
      this.end();
      from = i + 1;
    }
    this.append(data.subarray(from));
  }

  /** Drops a partial scan (the port closed mid-scan). */
  reset(): void {
    clearTimeout(this.idleTimer);
    this.chunks = [];
    this.length = 0;
    this.discarding = false;
  }

  private append(b: Buffer): void {
    if (b.length === 0 || this.discarding) return;
    if (this.length + b.length > this.maxLength) {
      this.chunks = [];
      this.length = 0;
      this.discarding = true;
      // Discarding lasts to the scan's end: its terminator, or the idle gap.
      this.emit({ error: `scan longer than ${this.maxLength} bytes, dropped` });
      return;
    }
    this.chunks.push(Buffer.from(b));
    this.length += b.length;
  }

  private end(): void {
    const bytes = Buffer.concat(this.chunks);
    const wasDiscarding = this.discarding;
    this.reset();
    if (wasDiscarding) return;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      this.emit({ error: `scan of ${bytes.length} bytes is not UTF-8, dropped` });
      return;
    }
    // Strip the other half of CRLF/LFCR and surrounding blanks; empty lines are not scans.
    text = text.replace(/^[\r\n]+|[\r\n]+$/g, '');
    if (text.trim() !== '') this.emit({ text });
  }
}
