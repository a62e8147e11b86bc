import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { placeholders } from '../database/sql-dialect.js';
import type { CrossingMinute } from '../domain-events/ingest-events.js';

/** The columns of `gate_events` that ingest writes, in the order of a row's values. */
export const GATE_EVENT_COLUMNS = [
  'event_id',
  'site_id',
  'zone_id',
  'gate_id',
  'lane_id',
  'direction',
  'source',
  'occurred_at',
  'received_at',
  'track_id',
  'identity_json',
  'id_number_hmac',
  'attachments_json',
  'decision_json',
  'decision_outcome',
] as const;

/** One `gate_events` row's values in GATE_EVENT_COLUMNS order (event_id first). */
export type GateEventRow = readonly unknown[];

/** PostgreSQL column types that are not text (the array parameters are cast to them). */
const PG_TYPES: Partial<Record<(typeof GATE_EVENT_COLUMNS)[number], string>> = {
  occurred_at: 'bigint',
  received_at: 'bigint',
  decision_json: 'jsonb',
};

/**
 * What ingest writes: new gate events (a resent one is left out by `ON CONFLICT DO NOTHING
 * RETURNING`, the same on SQLite ≥ 3.35 and PostgreSQL) and the minute counts they add, in one
 * transaction the caller opens.
 */
@Injectable()
export class IngestRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Inserts the rows not stored yet; returns the event ids that were new. */
  async insertNewEvents(m: EntityManager, rows: readonly GateEventRow[]): Promise<string[]> {
    const ids: string[] = [];
    const collect = (inserted: { event_id: string }[]) => {
      for (const r of inserted) ids.push(r.event_id);
    };
    const cols = GATE_EVENT_COLUMNS.join(', ');
    if (this.db.options.type === 'postgres') {
      // PostgreSQL: the whole batch as 15 array parameters (one per column) unnested into rows —
      // one statement however large the batch, and the driver binds 15 values instead of 15 per row.
      const columns: unknown[][] = GATE_EVENT_COLUMNS.map(() => []);
      for (const row of rows) row.forEach((v, c) => columns[c]!.push(v));
      const arrays = GATE_EVENT_COLUMNS.map((col, c) => `$${c + 1}::${PG_TYPES[col] ?? 'text'}[]`);
      collect(
        await m.query(
          `INSERT INTO gate_events (${cols}) SELECT * FROM unnest(${arrays.join(', ')}) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
          columns,
        ),
      );
      return ids;
    }
    for (let i = 0; i < rows.length; i += 400) {
      const p = placeholders(this.db);
      const values: unknown[] = [];
      const tuples = rows.slice(i, i + 400).map((row) => {
        values.push(...row);
        return `(${p(GATE_EVENT_COLUMNS.length)})`;
      });
      collect(
        await m.query(
          `INSERT INTO gate_events (${cols}) VALUES ${tuples.join(', ')} ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
          values,
        ),
      );
    }
    return ids;
  }

  /** Adds crossings to `count_minutes` (one row per site, gate and minute). */
  async addCrossingMinutes(m: EntityManager, all: readonly CrossingMinute[]): Promise<void> {
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
