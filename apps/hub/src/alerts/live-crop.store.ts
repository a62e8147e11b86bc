import { Injectable } from '@nestjs/common';

/** How long the face crop of a watchlist refusal is kept for the alert view, and how many at most. */
const KEEP_MS = 30 * 60_000;
const MAX = 500;

/**
 * The live face crop a lane sent with a watchlist refusal, kept in memory only (never stored, gone
 * after `KEEP_MS` or a hub restart), so security staff can compare it with the list photo while the
 * alert is fresh. Keyed by the decision id, which is the decision event's id and the alert's eventId.
 */
@Injectable()
export class LiveCropStore {
  private readonly crops = new Map<string, { jpeg: string; at: number }>();

  keep(decisionId: string, jpegBase64: string): void {
    this.crops.set(decisionId, { jpeg: jpegBase64, at: Date.now() });
    if (this.crops.size > MAX) this.crops.delete(this.crops.keys().next().value!);
  }

  get(decisionId: string): string | null {
    const c = this.crops.get(decisionId);
    if (!c) return null;
    if (Date.now() - c.at > KEEP_MS) {
      this.crops.delete(decisionId);
      return null;
    }
    return c.jpeg;
  }
}
