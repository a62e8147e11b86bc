import { Injectable } from '@nestjs/common';
import { Clock } from '../time/clock.js';

/** How long the face crop of an alert is kept for the alert view, and how many at most. */
const KEEP_MS = 30 * 60_000;
const MAX = 500;
/** Every other decision's crop waits this long for the alert checker (which may find a hit the edge did not). */
const PENDING_MS = 120_000;
const PENDING_MAX = 300;

/**
 * The live face crop a lane sent with a decision, kept in memory only (never stored, gone after
 * `KEEP_MS` or a hub restart), so security staff can compare it with the list photo while the alert is
 * fresh. Keyed by the decision id, which is the decision event's id and the alert's eventId.
 *
 * A refusal the edge itself flagged as a watchlist hit is kept at once. Any other decision's crop is
 * held for `PENDING_MS` only: the hub's own 1:N check may raise an alert the edge did not see (right
 * after an enrolment, before the edge has the new list), and then `promote` keeps it like a hit.
 */
@Injectable()
export class LiveCropStore {
  private readonly crops = new Map<string, { jpeg: string; at: number }>();
  private readonly pending = new Map<string, { jpeg: string; at: number }>();
  /** Alerts raised before their lane's crop arrived: the crop is kept when it comes. */
  private readonly wanted = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  keep(decisionId: string, jpegBase64: string, alerted = true): void {
    if (alerted || this.wanted.has(decisionId)) {
      this.wanted.delete(decisionId);
      this.pending.delete(decisionId);
      this.crops.set(decisionId, { jpeg: jpegBase64, at: this.clock.now() });
      if (this.crops.size > MAX) this.crops.delete(this.crops.keys().next().value!);
      return;
    }
    this.pending.set(decisionId, { jpeg: jpegBase64, at: this.clock.now() });
    if (this.pending.size > PENDING_MAX) this.pending.delete(this.pending.keys().next().value!);
  }

  /** An alert was raised on this decision: keep its crop (now, or when it arrives). */
  promote(decisionId: string): void {
    const p = this.pending.get(decisionId);
    this.pending.delete(decisionId);
    if (p && this.clock.now() - p.at <= PENDING_MS) return this.keep(decisionId, p.jpeg, true);
    if (this.crops.has(decisionId)) return;
    this.wanted.set(decisionId, this.clock.now());
    for (const [id, at] of this.wanted) if (this.wanted.size > MAX || this.clock.now() - at > PENDING_MS) this.wanted.delete(id);
  }

  get(decisionId: string): string | null {
    const c = this.crops.get(decisionId);
    if (!c) return null;
    if (this.clock.now() - c.at > KEEP_MS) {
      this.crops.delete(decisionId);
      return null;
    }
    return c.jpeg;
  }
}
