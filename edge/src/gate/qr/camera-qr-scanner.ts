import { CccdError, decodeQrFromRgba } from '../../../../libs/cccd/src/index.js';
import type { RgbFrame } from '../../camera/frame.js';
import type { CameraQrInput, QrInputHealth } from './qr-input-config.schema.js';
import type { QrSource } from './qr-source.js';
import type { ScanResult } from './scan-framer.js';

/** A frame older than this is not the lane as it is now. */
const STALE_MS = 1000;

/**
 * The frame at half size (2×2 average) as RGBA, jsQR's input. Measured on 640×480 (one core of the
 * test box): jsQR at full size costs ~146 ms on a frame without a QR (it chases false finder
 * patterns) and ~58 ms with one; halved first, ~19 ms and ~6 ms including the downscale, and a
 * QR with 4 px modules at 640×480 is still found. `out` is reused between frames.
 */
export function halfSizeRgba(
  rgb: Uint8Array,
  width: number,
  height: number,
  out?: Uint8ClampedArray,
): { rgba: Uint8ClampedArray; width: number; height: number } {
  const w = width >> 1;
  const h = height >> 1;
  const rgba = out && out.length === w * h * 4 ? out : new Uint8ClampedArray(w * h * 4);
  const stride = width * 3;
  for (let y = 0; y < h; y++) {
    let i = 2 * y * stride;
    let j = y * w * 4;
    for (let x = 0; x < w; x++, i += 6, j += 4) {
      for (let c = 0; c < 3; c++) rgba[j + c] = (rgb[i + c]! + rgb[i + 3 + c]! + rgb[i + stride + c]! + rgb[i + stride + 3 + c]! + 2) >> 2;
      rgba[j + 3] = 255;
    }
  }
  return { rgba, width: w, height: h };
}

/** The QR text in a frame, or undefined when there is none. */
export function decodeFrameQr(frame: RgbFrame, scratch?: Uint8ClampedArray): { text: string | undefined; rgba: Uint8ClampedArray } {
  const half = halfSizeRgba(frame.data, frame.width, frame.height, scratch);
  try {
    return { text: decodeQrFromRgba(half.rgba, half.width, half.height), rgba: half.rgba };
  } catch (e) {
    if (e instanceof CccdError) return { text: undefined, rgba: half.rgba };
    throw e;
  }
}

/**
 * QR codes shown to the lane's face camera (the VNeID app on a phone, a card's printed QR). jsQR
 * runs on the event loop, so it is throttled: one frame every `everyMs`, only while `armed()` says
 * the lane is idle or waiting for a CAN (never while a face is being captured), and a frame is
 * examined once. The same code on consecutive frames is de-duplicated by the lane's repeat filter.
 */
export class CameraQrScanner implements QrSource {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private lastSeen: { seq: number; at: number } | undefined;
  private scratch: Uint8ClampedArray | undefined;
  private readonly stats = { scans: 0, frames: 0, decodeMs: 0, lastScanAt: undefined as string | undefined };

  constructor(
    private readonly cameraId: string,
    private readonly cfg: CameraQrInput,
    private readonly latest: () => RgbFrame | undefined,
    private readonly armed: () => boolean,
  ) {}

  start(onScan: (r: ScanResult) => void): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      const f = this.latest();
      if (
        f &&
        this.armed() &&
        Date.now() - f.capturedAt < STALE_MS &&
        (f.seq !== this.lastSeen?.seq || f.capturedAt !== this.lastSeen.at)
      ) {
        this.lastSeen = { seq: f.seq, at: f.capturedAt };
        const t0 = performance.now();
        const { text, rgba } = decodeFrameQr(f, this.scratch);
        this.scratch = rgba;
        this.stats.frames++;
        this.stats.decodeMs += performance.now() - t0;
        if (text !== undefined) {
          this.stats.scans++;
          this.stats.lastScanAt = new Date().toISOString();
          onScan({ text });
        }
      }
      this.timer = setTimeout(tick, this.cfg.everyMs);
    };
    this.timer = setTimeout(tick, this.cfg.everyMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Mean jsQR cost per examined frame (ms), for the status and the README's figure. */
  meanDecodeMs(): number {
    return this.stats.frames ? this.stats.decodeMs / this.stats.frames : 0;
  }

  health(): QrInputHealth {
    const f = this.latest();
    return {
      kind: 'camera',
      source: this.cameraId,
      connected: !!f && Date.now() - f.capturedAt < STALE_MS * 2,
      scans: this.stats.scans,
      dropped: 0,
      reconnects: 0,
      ...(this.stats.lastScanAt ? { lastScanAt: this.stats.lastScanAt } : {}),
    };
  }
}
