import type { QrInputHealth } from './qr-input-config.schema.js';
import type { ScanResult } from './scan-framer.js';

/** One QR input of a lane (a scanner or the lane camera): scans out, health for the edge's status. */
export interface QrSource {
  start(onScan: (r: ScanResult) => void): void;
  /** Stops reading and releases the device; resolves when it is closed. */
  stop(): Promise<void>;
  health(): QrInputHealth;
}
