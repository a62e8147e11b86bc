import type { QrInputHealth } from './qr-input-config.schema.js';
import type { ScanResult } from './scan-framer.js';

/** What a device scanner (serial, evdev) has done since start: the health it reports in the gate status. */
export class ScannerStats {
  connected = false;
  scans = 0;
  /** Scans dropped by the framer (too long, not UTF-8). */
  dropped = 0;
  reconnects = 0;
  lastScanAt: string | undefined;
  lastError: string | undefined;

  private everConnected = false;

  /** The device opened: a reconnect unless it is the first time. */
  opened(): void {
    if (this.everConnected) this.reconnects++;
    this.everConnected = true;
    this.connected = true;
  }

  /** The device went away (unplugged, closed) or could not be opened. */
  lost(reason: string): void {
    this.connected = false;
    this.lastError = reason;
  }

  /** Counts one framed scan, good or dropped. */
  count(r: ScanResult): void {
    if ('text' in r) {
      this.scans++;
      this.lastScanAt = new Date().toISOString();
    } else {
      this.dropped++;
      this.lastError = r.error;
    }
  }

  health(kind: QrInputHealth['kind'], source: string): QrInputHealth {
    return {
      kind,
      source,
      connected: this.connected,
      scans: this.scans,
      dropped: this.dropped,
      reconnects: this.reconnects,
      ...(this.lastScanAt ? { lastScanAt: this.lastScanAt } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }
}
