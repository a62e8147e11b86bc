import type { AntiPassback } from '../anti-passback.js';
import type { Cycle } from './cycle.js';

/** Anti-passback for a lane of a zone that enforces it: who is inside, checked at entry, updated on every OPEN. */
export class ZonePresenceStep {
  constructor(
    private readonly antiPassback: AntiPassback,
    private readonly zoneId: string,
    private readonly direction: 'entry' | 'exit',
    /** The zone enforces anti-passback. */
    private readonly enforced: boolean,
  ) {}

  check(c: Cycle): void {
    if (this.enforced && this.direction === 'entry' && c.personKey)
      c.facts.alreadyInside = this.antiPassback.isInside(this.zoneId, c.personKey);
  }

  record(c: Cycle, outcome: 'open' | 'deny'): void {
    if (outcome !== 'open' || !c.personKey || !this.enforced) return;
    if (this.direction === 'entry') this.antiPassback.entered(this.zoneId, c.personKey);
    else this.antiPassback.exited(this.zoneId, c.personKey);
  }
}
