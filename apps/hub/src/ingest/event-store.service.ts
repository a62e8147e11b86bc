import { Injectable } from '@nestjs/common';
import type { GateEvent } from '../../../../libs/contracts/src/index.js';
import { crossingMinutes } from '../counts/crossing-minutes.js';
import type { CrossingMinute } from '../domain-events/ingest-events.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { aad } from '../watchlist/watchlist-aad.js';
import { IngestRepository, type GateEventRow } from './ingest.repository.js';

export interface IncomingEvent {
  event: GateEvent;
  receivedAt: number;
}

export interface StoredBatch {
  /** The events that were new (duplicates left out), in arrival order. */
  fresh: GateEvent[];
  /** Their crossings per gate and minute, as added to `count_minutes`. */
  crossings: CrossingMinute[];
}

/**
 * Stores a batch of events and their minute counts in one transaction; only the events that were new
 * are counted, so a resent event is stored and counted once however often it arrives. Personal data
 * is encrypted here before it reaches the repository.
 */
@Injectable()
export class EventStore {
  constructor(
    private readonly repo: IngestRepository,
    private readonly cipher: DataCipher,
  ) {}

  async storeBatch(batch: readonly IncomingEvent[]): Promise<StoredBatch> {
    const unique = new Map<string, IncomingEvent>();
    for (const b of batch) if (!unique.has(b.event.eventId)) unique.set(b.event.eventId, b);
    const items = [...unique.values()];
    return this.repo.transaction(async (m) => {
      const newIds = await this.repo.insertNewEvents(
        m,
        items.map((i) => this.row(i)),
      );
      const fresh = newIds.map((id) => unique.get(id)!.event);
      const crossings = crossingMinutes(fresh);
      await this.repo.addCrossingMinutes(m, crossings);
      return { fresh, crossings };
    });
  }

  /** One row's values, in the column order of GATE_EVENT_COLUMNS. */
  private row({ event: e, receivedAt }: IncomingEvent): GateEventRow {
    return [
      e.eventId,
      e.siteId,
      e.zoneId,
      e.gateId,
      e.laneId ?? null,
      e.direction,
      e.source,
      Date.parse(e.occurredAt),
      receivedAt,
      e.trackId ?? null,
      // Personal data at rest: the identity block encrypted, the CCCD number also as HMAC.
      e.identity ? this.cipher.encrypt(JSON.stringify(e.identity), aad.eventIdentity(e.eventId)) : null,
      e.identity?.idNumber ? this.cipher.idHmac(e.identity.idNumber) : null,
      e.attachments ? JSON.stringify(e.attachments) : null,
      e.decision ? JSON.stringify(e.decision) : null,
      e.decision?.outcome ?? null,
    ];
  }
}
