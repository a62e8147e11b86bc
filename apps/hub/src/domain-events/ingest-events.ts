import type { GateEvent } from '../../../../libs/contracts/src/index.js';

/**
 * The hub's domain events (Immich's event repository / `@OnEvent` shape): a service commits, then
 * emits; listeners (tallies, live push, alerts, metrics) react without the producer knowing them.
 * Names are internal, not MQTT topics or Socket.IO events.
 */
export const HubEvents = {
  /** A batch of gate events is committed (EventsCommitted). Emitted under the commit lock, in commit order. */
  eventsCommitted: 'ingest.events-committed',
  /** Storing a batch failed and is retried (IngestRetry). */
  ingestRetry: 'ingest.retry',
  /** Today's tallies (and the stored minute counts) of some sites changed (CountsChanged). */
  countsChanged: 'counts.changed',
  /** An administrator changed sites (zones, gates, capacity, camera or retention rules): `{ siteIds }`. */
  sitesChanged: 'sites.changed',
} as const;

/** One minute's crossings at one gate: what the store adds to `count_minutes` and the tallies add in memory. */
export interface CrossingMinute {
  siteId: string;
  gateId: string;
  zoneId: string;
  /** Epoch ms of the minute's start. */
  minute: number;
  entries: number;
  exits: number;
}

export class EventsCommitted {
  constructor(
    /** Newly stored events, in arrival order (duplicates left out). */
    readonly events: readonly GateEvent[],
    /** The crossings among them, per gate and minute (crossing-minutes.ts, the one crossing rule). */
    readonly crossings: readonly CrossingMinute[],
    /** Messages in the batch, duplicates included. */
    readonly received: number,
    /** Time to store the batch. */
    readonly seconds: number,
  ) {}
}

export class IngestRetry {
  constructor(
    readonly batchSize: number,
    readonly error: Error,
    readonly retryInMs: number,
  ) {}
}

/** Per site: the minutes (epoch ms of each start) the batch touched, and whether any event fell today. */
export interface SiteCountsChange {
  siteId: string;
  minutes: readonly number[];
  today: boolean;
}

export class CountsChanged {
  constructor(readonly sites: readonly SiteCountsChange[]) {}
}
