import type { ByteTracker, Track } from './byte-tracker.js';
import { CountingLine, type Crossing, type CountingLineSpec } from './counting-line.js';

export interface CrossingEvent {
  lineId: string;
  trackId: number;
  direction: Crossing;
}

/**
 * Checks every confirmed track against every counting line once per detection frame. A track counts
 * at most once per line and direction in a row: a second event on the same line needs a full
 * crossing back (a person who walks in and out again is one entry and one exit).
 */
export class CrossingCounter {
  private readonly lines: CountingLine[];
  readonly totals = { entry: 0, exit: 0 };

  constructor(specs: readonly CountingLineSpec[]) {
    this.lines = specs.map((s) => new CountingLine(s));
  }

  observe(tracks: readonly Track[], tracker: ByteTracker): CrossingEvent[] {
    const out: CrossingEvent[] = [];
    for (const t of tracks) {
      for (const line of this.lines) {
        const dir = line.observe(t.id, t.box);
        if (dir) {
          this.totals[dir]++;
          out.push({ lineId: line.spec.id, trackId: t.id, direction: dir });
        }
      }
    }
    // Forget tracks the tracker has dropped.
    const live = new Set(tracker.all.map((t) => t.id));
    for (const line of this.lines) for (const id of [...line.trackIds()]) if (!live.has(id)) line.forget(id);
    return out;
  }
}
