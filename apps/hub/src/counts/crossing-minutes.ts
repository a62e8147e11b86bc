import { isCrossing, type GateEvent } from '../../../../libs/contracts/src/index.js';
import type { CrossingMinute } from '../domain-events/ingest-events.js';
import { minuteStart } from './local-day.js';

/**
 * The one crossing rule of the hub: which stored events count, and in which gate and minute. A lane's
 * refusal or a door alarm is stored for audit but nobody crossed: only plain counts and OPEN decisions
 * count (`isCrossing`). The store writes these to `count_minutes`; the tallies add the same buckets.
 */
export function crossingMinutes(events: readonly GateEvent[]): CrossingMinute[] {
  const buckets = new Map<string, CrossingMinute>();
  for (const e of events) {
    if (!isCrossing(e)) continue;
    const minute = minuteStart(Date.parse(e.occurredAt));
    const key = `${e.siteId}/${e.gateId}/${minute}`;
    const b = buckets.get(key) ?? { siteId: e.siteId, gateId: e.gateId, zoneId: e.zoneId, minute, entries: 0, exits: 0 };
    if (e.direction === 'entry') b.entries++;
    else b.exits++;
    buckets.set(key, b);
  }
  return [...buckets.values()];
}
