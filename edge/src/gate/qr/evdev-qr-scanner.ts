import { createReadStream, type ReadStream } from 'node:fs';
import { ScannerStats } from './scanner-stats.js';
import type { EvdevQrInput, QrInputHealth } from './qr-input-config.schema.js';
import type { QrSource } from './qr-source.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import type { ScanResult } from './scan-framer.js';
import { KEY_CAPSLOCK, KEY_ENTER, KEY_KPENTER, KEY_LEFTSHIFT, KEY_RIGHTSHIFT, keyChar } from './evdev-keymap.js';

/** `struct input_event` on 64-bit Linux: timeval (2 × 8 bytes), type u16, code u16, value s32. */
export const INPUT_EVENT_SIZE = 24;
const EV_KEY = 1;
const PRESS = 1;
const REPEAT = 2;

/**
 * A scanner in USB HID keyboard-wedge mode, read from its evdev node
 * (`/dev/input/by-id/usb-…-event-kbd`): key presses are mapped (US layout, Shift, Caps Lock) to
 * characters and Enter ends a scan. Records may arrive split across reads; they are reassembled.
 *
 * Limits: a keyboard wedge carries ASCII only, so Vietnamese diacritics in a CCCD name are lost (the
 * ID number and dates, which the lane needs, survive). The keystrokes also still reach the console
 * and X/Wayland: taking the device exclusively needs the EVIOCGRAB ioctl, which Node cannot issue.
 * Set scanners to USB-COM/CDC (serial) mode where possible.
 */
export class EvdevQrScanner implements QrSource {
  private stream: ReadStream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private pending = Buffer.alloc(0);
  private text = '';
  private overflow = false;
  private shift = new Set<number>();
  private capsLock = false;
  private readonly backoff: ReconnectBackoff;
  private onScan: (r: ScanResult) => void = () => undefined;
  private readonly stats = new ScannerStats();

  constructor(private readonly cfg: EvdevQrInput) {
    this.backoff = new ReconnectBackoff(cfg.reconnect);
  }

  start(onScan: (r: ScanResult) => void): void {
    this.onScan = onScan;
    this.stopped = false;
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    const s = createReadStream(this.cfg.path, { highWaterMark: INPUT_EVENT_SIZE * 64 });
    this.stream = s;
    s.on('open', () => {
      this.stats.opened();
      this.backoff.reset();
    });
    s.on('data', (chunk) => this.push(chunk as Buffer));
    // ENODEV when unplugged; end-of-file on a FIFO whose writer went away. Either way: reopen.
    s.on('error', (e) => this.lost(s, e.message));
    s.on('end', () => this.lost(s, 'device closed'));
  }

  private lost(s: ReadStream, reason: string): void {
    if (this.stream !== s) return;
    this.stream = undefined;
    s.destroy();
    this.stats.lost(reason);
    this.pending = Buffer.alloc(0);
    this.resetScan();
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), this.backoff.delay());
  }

  /** Whole 24-byte records only; a partial one waits for the rest. */
  push(chunk: Buffer): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    for (; off + INPUT_EVENT_SIZE <= buf.length; off += INPUT_EVENT_SIZE) {
      const type = buf.readUInt16LE(off + 16);
      if (type !== EV_KEY) continue; // EV_SYN, EV_MSC scan codes, LEDs
      this.key(buf.readUInt16LE(off + 18), buf.readInt32LE(off + 20));
    }
    this.pending = Buffer.from(buf.subarray(off));
  }

  private key(code: number, value: number): void {
    if (code === KEY_LEFTSHIFT || code === KEY_RIGHTSHIFT) {
      if (value === 0) this.shift.delete(code);
      else this.shift.add(code);
      return;
    }
    if (value !== PRESS && value !== REPEAT) return;
    if (code === KEY_CAPSLOCK) {
      if (value === PRESS) this.capsLock = !this.capsLock;
      return;
    }
    if (code === KEY_ENTER || code === KEY_KPENTER) return this.endScan();
    const c = keyChar(code, this.shift.size > 0, this.capsLock);
    if (c === undefined || this.overflow) return;
    if (this.text.length >= this.cfg.maxLength) {
      this.overflow = true;
      this.text = '';
      this.report({ error: `scan longer than ${this.cfg.maxLength} characters, dropped` });
      return;
    }
    this.text += c;
  }

  private endScan(): void {
    const { text, overflow } = this;
    this.resetScan();
    if (!overflow && text.trim() !== '') this.report({ text });
  }

  private resetScan(): void {
    this.text = '';
    this.overflow = false;
  }

  private report(r: ScanResult): void {
    this.stats.count(r);
    this.onScan(r);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const s = this.stream;
    this.stream = undefined;
    this.stats.connected = false;
    if (!s) return;
    // A read blocked on the device (no key pressed) only returns with the next event: do not wait long for it.
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 200);
      s.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      s.destroy();
    });
  }

  health(): QrInputHealth {
    return this.stats.health('evdev', this.cfg.path);
  }
}
