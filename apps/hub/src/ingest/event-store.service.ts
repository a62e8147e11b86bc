import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { GateEvent } from '../../../../libs/contracts/src/index.js';
import { crossingMinutes } from '../counts/crossing-minutes.js';
import { placeholders } from '../database/sql-dialect.js';
import type { CrossingMinute } from '../domain-events/ingest-events.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { aad } from '../watchlist/watchlist-aad.js';

const COLUMNS = ['event_id', 'site_id', 'zone_id', 'gate_id', 'lane_id', 'direction', 'source', 'occurred_at', 'received_at', 'track_id', 'identity_json', 'id_number_hmac', 'attachments_json', 'decision_json', 'decision_outcome'] as const;

/** PostgreSQL column types that are not text (the array parameters are cast to them). */
const PG_TYPES: Partial<Record<(typeof COLUMNS)[number], string>> = { occurred_at: 'bigint', received_at: 'bigint', decision_json: 'jsonb' };

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
 * Stores a batch of events and their minute counts in one transaction. `ON CONFLICT DO NOTHING
 * RETURNING` tells which events are new, and only those are counted, so a resent event is stored and
 * counted once however often it arrives (works the same on SQLite ≥ 3.35 and PostgreSQL).
 */
@Injectable()
export class EventStore {
  constructor(private readonly db: DataSource, private readonly cipher: DataCipher) {}

  async storeBatch(batch: readonly IncomingEvent[]): Promise<StoredBatch> {
    const unique = new Map<string, IncomingEvent>();
    for (const b of batch) if (!unique.has(b.event.eventId)) unique.set(b.event.eventId, b);
    const items = [...unique.values()];
    return this.db.transaction(async (m) => {
      const fresh = await this.insertEvents(m, items);
      const crossings = crossingMinutes(fresh);
      await this.addCounts(m, crossings);
      return { fresh, crossings };
    });
  }

  /** One row's values, in the column order of COLUMNS. */
  private row({ event: e, receivedAt }: IncomingEvent): unknown[] {
    return [
      e.eventId, e.siteId, e.zoneId, e.gateId, e.laneId ?? null, e.direction, e.source,
      Date.parse(e.occurredAt), receivedAt, e.trackId ?? null,
      // Personal data at rest: the identity block encrypted, the CCCD number also as HMAC.
      e.identity ? this.cipher.encrypt(JSON.stringify(e.identity), aad.eventIdentity(e.eventId)) : null,
      e.identity?.idNumber ? this.cipher.idHmac(e.identity.idNumber) : null,
      e.attachments ? JSON.stringify(e.attachments) : null,
      e.decision ? JSON.stringify(e.decision) : null,
      e.decision?.outcome ?? null,
    ];
  }

  private async insertEvents(m: EntityManager, items: IncomingEvent[]): Promise<GateEvent[]> {
    const out: GateEvent[] = [];
    const byId = new Map(items.map((i) => [i.event.eventId, i.event]));
    const collect = (inserted: { event_id: string }[]) => {
      for (const r of inserted) out.push(byId.get(r.event_id)!);
    };
    if (this.db.options.type === 'postgres') {
      // PostgreSQL: the whole batch as 15 array parameters (one per column) unnested into rows —
      // one statement however large the batch, and the driver binds 15 values instead of 15 per row.
      const columns: unknown[][] = COLUMNS.map(() => []);
      for (const item of items) this.row(item).forEach((v, c) => columns[c]!.push(v));
      const arrays = COLUMNS.map((col, c) => `$${c + 1}::${PG_TYPES[col] ?? 'text'}[]`);
      collect(await m.query(`INSERT INTO gate_events (${COLUMNS.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')}) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`, columns));
      return out;
    }
    for (let i = 0; i < items.length; i += 400) {
      const chunk = items.slice(i, i + 400);
      const p = placeholders(this.db);
      const values: unknown[] = [];
      const rows = chunk.map((item) => {
        values.push(...this.row(item));
        return `(${p(COLUMNS.length)})`;
      });
      collect(await m.query(`INSERT INTO gate_events (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')} ON CONFLICT (event_id) DO NOTHING RETURNING event_id`, values));
    }
    return out;
  }

  private async addCounts(m: EntityManager, all: readonly CrossingMinute[]): Promise<void> {
    for (let i = 0; i < all.length; i += 500) {
      const p = placeholders(this.db);
      const values: unknown[] = [];
      const rows = all.slice(i, i + 500).map((b) => {
        values.push(b.siteId, b.gateId, b.minute, b.zoneId, b.entries, b.exits);
        return `(${p(6)})`;
      });
      await m.query(
        `INSERT INTO count_minutes (site_id, gate_id, minute, zone_id, entries, exits) VALUES ${rows.join(', ')}
         ON CONFLICT (site_id, gate_id, minute) DO UPDATE SET entries = count_minutes.entries + excluded.entries, exits = count_minutes.exits + excluded.exits`,
        values,
      );
    }
  }
}
