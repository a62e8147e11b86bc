import { accessFromQr, type CccdQr } from '../../../../libs/cccd/src/index.js';
import { runStep, StepFailure } from '../step-timeout.js';

export interface PendingQr {
  qr: CccdQr;
  at: number;
}

/**
 * The chip's access key (CAN): from the card's QR or a typed CAN given shortly before the card, or
 * waited for while the card sits on the reader. Keys older than `pendingKeyMs` are not used.
 */
export class AccessKeys {
  /** The last QR scanned (a card's, or a VNeID QR waiting for its grace to pass). */
  pendingQr: PendingQr | undefined;
  private pendingCan: { can: string; at: number } | undefined;
  private wait: ((can: string | undefined) => void) | undefined;

  constructor(
    private readonly pendingKeyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A read is waiting for its key right now. */
  get waiting(): boolean {
    return this.wait !== undefined;
  }

  offerQr(qr: CccdQr): PendingQr {
    const pending = { qr, at: this.now() };
    this.pendingQr = pending;
    this.supply(accessFromQr(qr).can);
    return pending;
  }

  offerCan(can: string): void {
    this.pendingCan = { can, at: this.now() };
    this.supply(can);
  }

  fresh(at: number): boolean {
    return this.now() - at <= this.pendingKeyMs;
  }

  /** The key for this read: one already given, else the next one given within `timeoutMs` (`onWait` says so on the console). */
  async take(timeoutMs: number, signal: AbortSignal, onWait: () => void): Promise<string> {
    if (this.pendingQr && this.fresh(this.pendingQr.at)) return accessFromQr(this.pendingQr.qr).can;
    if (this.pendingCan && this.fresh(this.pendingCan.at)) return this.pendingCan.can;
    onWait();
    const can = await runStep(
      'no_access_key',
      timeoutMs,
      signal,
      () => new Promise<string | undefined>((resolve) => (this.wait = resolve)),
    ).finally(() => (this.wait = undefined));
    if (!can) throw new StepFailure('no_access_key');
    return can;
  }

  /** The card has been read: its keys are spent. */
  forget(): void {
    this.pendingQr = undefined;
    this.pendingCan = undefined;
  }

  private supply(can: string): void {
    if (this.wait) this.wait(can);
  }
}
