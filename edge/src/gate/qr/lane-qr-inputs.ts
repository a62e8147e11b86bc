import type { QrInputHealth } from './qr-input-config.schema.js';
import { QrRepeatFilter } from './qr-repeat-filter.js';
import type { QrSource } from './qr-source.js';
import type { ScanResult } from './scan-framer.js';

/** What of a lane the QR inputs drive (Lane implements it). */
export interface QrLane {
  readonly id: string;
  qrScanned(text: string, kind: 'auto'): void;
  qrRejected(reason: string): void;
}

/**
 * The QR inputs of one lane: every scanner and the camera feed one repeat filter (a code seen on
 * consecutive frames, scanned twice, or by two inputs counts once), then the lane, which tells a
 * card's QR from a VNeID QR by whether a card is on the reader. A scan the driver had to drop shows
 * on the lane as `qr_unreadable`; nothing a scanner sends can break the lane.
 */
export class LaneQrInputs {
  private readonly repeats: QrRepeatFilter;

  constructor(
    private readonly lane: QrLane,
    private readonly sources: readonly QrSource[],
    repeatMs: number,
    private readonly log: (message: string) => void,
  ) {
    this.repeats = new QrRepeatFilter(repeatMs);
  }

  start(): void {
    for (const s of this.sources) s.start((r) => this.scanned(s, r));
  }

  private scanned(source: QrSource, r: ScanResult): void {
    if ('error' in r) {
      this.log(`lane ${this.lane.id}: ${source.health().kind} QR input ${source.health().source}: ${r.error}`);
      this.lane.qrRejected('qr_unreadable');
      return;
    }
    if (!this.repeats.accept(r.text)) return;
    this.lane.qrScanned(r.text, 'auto');
  }

  health(): QrInputHealth[] {
    return this.sources.map((s) => s.health());
  }

  async stop(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.stop()));
  }
}
