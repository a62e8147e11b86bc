import type { SerialPort as SerialPortClass } from 'serialport';
import { requireOptional } from '../../optional-module.js';
import { ScannerStats } from './scanner-stats.js';
import type { QrInputHealth, SerialQrInput } from './qr-input-config.schema.js';
import type { QrSource } from './qr-source.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import { ScanFramer, type ScanResult } from './scan-framer.js';

/**
 * A 2D scanner in USB-COM/CDC or RS-232 mode. Bytes are cut into scans at the configured terminator
 * (or an idle gap) and decoded as UTF-8, so CCCD names keep their diacritics. An unplugged scanner
 * (read error, port gone) is reopened with backoff until it comes back; a scan that is too long or
 * not UTF-8 is reported and dropped. Nothing here throws into the lane.
 */
export class SerialQrScanner implements QrSource {
  private port: SerialPortClass | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly backoff: ReconnectBackoff;
  private onScan: (r: ScanResult) => void = () => undefined;
  private readonly framer: ScanFramer;
  private readonly stats = new ScannerStats();

  constructor(
    private readonly cfg: SerialQrInput,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.backoff = new ReconnectBackoff(cfg.reconnect);
    this.framer = new ScanFramer(cfg.terminator, cfg.maxLength, (r) => {
      this.stats.count(r);
      this.onScan(r);
    });
  }

  start(onScan: (r: ScanResult) => void): void {
    this.onScan = onScan;
    this.stopped = false;
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    let SerialPort: typeof SerialPortClass;
    try {
      // serialport is an optional dependency (a native binding): without it this input reports why, once, and stays down.
      ({ SerialPort } = requireOptional<{ SerialPort: typeof SerialPortClass }>('serialport', `the serial QR scanner on ${this.cfg.path}`));
    } catch (e) {
      this.stats.lost((e as Error).message);
      this.warn((e as Error).message);
      return;
    }
    const port = new SerialPort({ path: this.cfg.path, baudRate: this.cfg.baudRate, autoOpen: false });
    this.port = port;
    port.on('data', (d: Buffer) => this.framer.push(d));
    port.on('error', (e: Error) => (this.stats.lastError = e.message));
    port.on('close', (e?: Error | null) => {
      if (this.port !== port) return;
      this.port = undefined;
      this.framer.reset();
      if (this.stopped) this.stats.connected = false;
      else this.retry(e?.message ?? 'port closed');
    });
    port.open((err) => {
      if (err) {
        if (this.port !== port) return;
        this.port = undefined;
        this.retry(err.message);
        return;
      }
      if (this.port !== port || this.stopped) return void port.close(() => undefined); // stopped while opening
      this.stats.opened();
      this.backoff.reset();
    });
  }

  private retry(reason: string): void {
    this.stats.lost(reason);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), this.backoff.delay());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const port = this.port;
    this.port = undefined;
    this.stats.connected = false;
    this.framer.reset();
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  health(): QrInputHealth {
    return this.stats.health('serial', this.cfg.path);
  }
}
