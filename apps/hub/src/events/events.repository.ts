import { BadRequestException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventPage, EventSearchQuery, ExportQuery } from '../../../../libs/contracts/src/index.js';
import { GateEventEntity } from '../database/entities/index.js';
import { placeholders } from '../database/sql-dialect.js';

/** One event as the export reads it (raw columns: the export formats them itself). */
export interface ExportRow {
  event_id: string;
  occurred_at: string | number;
  site_id: string;
  zone_id: string;
  gate_id: string;
  lane_id: string | null;
  direction: string;
  source: string;
  decision_outcome: string | null;
  decision_json: string | { reasons?: string[] } | null;
}

/** Newest-first keyset paging: the cursor is the last row's (occurredAt, eventId). */
@Injectable()
export class EventsRepository {
  constructor(private readonly db: DataSource) {}

  /** Oldest-first keyset page of an export's events after (occurredAt, eventId) `after`. */
  async exportPage(q: ExportQuery, after: [number, string] | null, limit: number): Promise<ExportRow[]> {
    const params: unknown[] = [q.siteId, Date.parse(q.from), Date.parse(q.to)];
    const ph = placeholders(this.db);
    let sql = `SELECT event_id, occurred_at, site_id, zone_id, gate_id, lane_id, direction, source, decision_outcome, decision_json FROM gate_events WHERE site_id = ${ph(1)} AND occurred_at >= ${ph(1)} AND occurred_at < ${ph(1)}`;
    for (const [col, v] of [['zone_id', q.zoneId], ['gate_id', q.gateId], ['direction', q.direction], ['source', q.source]] as const)
      if (v) {
        sql += ` AND ${col} = ${ph(1)}`;
        params.push(v);
      }
    if (after) {
      sql += ` AND (occurred_at > ${ph(1)} OR (occurred_at = ${ph(1)} AND event_id > ${ph(1)}))`;
      params.push(after[0], after[0], after[1]);
    }
    sql += ` ORDER BY occurred_at, event_id LIMIT ${Math.trunc(limit)}`;
    return (await this.db.query(sql, params)) as ExportRow[];
  }

  /** `onlySites`: restrict to these sites (a caller's grants); empty finds nothing. */
  async search(q: EventSearchQuery, onlySites?: readonly string[]): Promise<EventPage> {
    if (onlySites?.length === 0) return { items: [], nextCursor: null };
    const qb = this.db.getRepository(GateEventEntity).createQueryBuilder('e');
    if (onlySites) qb.andWhere('e.site_id IN (:...onlySites)', { onlySites });
    if (q.siteId) qb.andWhere('e.site_id = :siteId', { siteId: q.siteId });
    if (q.zoneId) qb.andWhere('e.zone_id = :zoneId', { zoneId: q.zoneId });
    if (q.gateId) qb.andWhere('e.gate_id = :gateId', { gateId: q.gateId });
    if (q.direction) qb.andWhere('e.direction = :direction', { direction: q.direction });
    if (q.source) qb.andWhere('e.source = :source', { source: q.source });
    if (q.from) qb.andWhere('e.occurred_at >= :from', { from: Date.parse(q.from) });
    if (q.to) qb.andWhere('e.occurred_at < :to', { to: Date.parse(q.to) });
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      qb.andWhere('(e.occurred_at < :cAt OR (e.occurred_at = :cAt AND e.event_id < :cId))', { cAt: c.at, cId: c.id });
    }
    const rows = await qb.orderBy('e.occurred_at', 'DESC').addOrderBy('e.event_id', 'DESC').take(q.limit + 1).getMany();
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page.map((e) => ({
        eventId: e.eventId,
        siteId: e.siteId,
        zoneId: e.zoneId,
        gateId: e.gateId,
        laneId: e.laneId,
        direction: e.direction,
        source: e.source,
        occurredAt: new Date(e.occurredAt).toISOString(),
        receivedAt: new Date(e.receivedAt).toISOString(),
        hasIdentity: e.identityJson !== null,
      })),
      nextCursor: more && last ? Buffer.from(JSON.stringify([last.occurredAt, last.eventId])).toString('base64url') : null,
    };
  }
}

function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'number' && typeof id === 'string') return { at, id };
  } catch {
    /* fall through */
  }
  throw new BadRequestException('cursor is not one this API issued');
}
