import { BadRequestException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Decision, EventPage, EventRow, EventSearchQuery, ExportQuery, Identity } from '../../../../libs/contracts/src/index.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { aad } from '../watchlist/watchlist-aad.js';
import { GateEventEntity } from '../database/entities/index.js';
import { exportPageSql, type ExportRow } from '../reports/export-page-sql.js';

export type { ExportRow } from '../reports/export-page-sql.js';

/** Newest-first keyset paging: the cursor is the last row's (occurredAt, eventId). */
@Injectable()
export class EventsRepository {
  constructor(
    private readonly db: DataSource,
    private readonly cipher: DataCipher,
  ) {}

  /** Oldest-first keyset page of an export's events after (occurredAt, eventId) `after`. */
  async exportPage(q: ExportQuery, after: [number, string] | null, limit: number): Promise<ExportRow[]> {
    const { sql, params } = exportPageSql(this.db.options.type === 'postgres' ? 'postgres' : 'sqlite', q, after, limit);
    return (await this.db.query(sql, params)) as ExportRow[];
  }

  /**
   * `onlySites`: restrict to these sites (a caller's grants); empty finds nothing. `person` (the caller
   * checked the role): a 12-digit CCCD number is looked up by its HMAC; a name is matched against the
   * decrypted identities (accents and case ignored), newest first, looking through at most
   * `NAME_SCAN_MAX` events with an identity per call (the page says how many; the cursor goes on from there).
   */
  async search(q: EventSearchQuery, onlySites?: readonly string[]): Promise<EventPage> {
    if (onlySites?.length === 0) return { items: [], nextCursor: null };
    const idNumber = q.person && /^\d{12}$/.test(q.person.replace(/\s/g, '')) ? q.person.replace(/\s/g, '') : null;
    const name = q.person && !idNumber ? fold(q.person) : null;
    const base = () => {
      const qb = this.db
        .getRepository(GateEventEntity)
        .createQueryBuilder('e')
        .addSelect('e.decision_outcome', 'decision_outcome')
        .addSelect('e.decision_json', 'decision_json');
      if (onlySites) qb.andWhere('e.site_id IN (:...onlySites)', { onlySites });
      if (q.siteId) qb.andWhere('e.site_id = :siteId', { siteId: q.siteId });
      if (q.zoneId) qb.andWhere('e.zone_id = :zoneId', { zoneId: q.zoneId });
      if (q.gateId) qb.andWhere('e.gate_id = :gateId', { gateId: q.gateId });
      if (q.direction) qb.andWhere('e.direction = :direction', { direction: q.direction });
      if (q.source) qb.andWhere('e.source = :source', { source: q.source });
      if (q.from) qb.andWhere('e.occurred_at >= :from', { from: Date.parse(q.from) });
      if (q.to) qb.andWhere('e.occurred_at < :to', { to: Date.parse(q.to) });
      if (q.outcome === 'none') qb.andWhere('e.decision_outcome IS NULL');
      else if (q.outcome) qb.andWhere('e.decision_outcome = :outcome', { outcome: q.outcome });
      if (idNumber) qb.andWhere('e.id_number_hmac = :hmac', { hmac: this.cipher.idHmac(idNumber) });
      if (name) qb.andWhere('e.identity_json IS NOT NULL');
      return qb;
    };
    const page = async (after: { at: number; id: string } | null, take: number) => {
      const qb = base();
      if (after) qb.andWhere('(e.occurred_at < :cAt OR (e.occurred_at = :cAt AND e.event_id < :cId))', { cAt: after.at, cId: after.id });
      const { raw, entities } = await qb.orderBy('e.occurred_at', 'DESC').addOrderBy('e.event_id', 'DESC').take(take).getRawAndEntities();
      return entities.map((e, i) => ({ e, raw: raw[i] as Record<string, unknown> }));
    };
    const cursor = q.cursor ? decodeCursor(q.cursor) : null;
    if (!name) {
      const rows = await page(cursor, q.limit + 1);
      const more = rows.length > q.limit;
      const shown = rows.slice(0, q.limit);
      const last = shown.at(-1)?.e;
      return { items: shown.map((r) => this.row(r.e, r.raw)), nextCursor: more && last ? encodeCursor(last) : null };
    }
    // A name: identities are encrypted, so they are read and compared here, a slice at a time.
    const items: ReturnType<EventsRepository['row']>[] = [];
    let after = cursor;
    let scanned = 0;
    let more = false;
    let lastSeen: GateEventEntity | undefined;
    while (scanned < NAME_SCAN_MAX) {
      const rows = await page(after, 500);
      for (const r of rows) {
        scanned++;
        lastSeen = r.e;
        if (fold(this.identityName(r.e) ?? '').includes(name)) {
          if (items.length === q.limit) {
            more = true;
            break;
          }
          items.push(this.row(r.e, r.raw));
        }
      }
      if (more || rows.length < 500) break;
      after = { at: rows.at(-1)!.e.occurredAt, id: rows.at(-1)!.e.eventId };
    }
    const capped = !more && scanned >= NAME_SCAN_MAX;
    const last = more
      ? items.length
        ? { occurredAt: Date.parse(items.at(-1)!.occurredAt), eventId: items.at(-1)!.eventId }
        : null
      : capped
        ? lastSeen
        : null;
    return { items, nextCursor: last ? encodeCursor(last as { occurredAt: number; eventId: string }) : null, scanned };
  }

  private identityName(e: GateEventEntity): string | null {
    return this.identity(e)?.fullName ?? null;
  }

  /** The event's identity block, decrypted (null when there is none or it cannot be read). */
  identity(e: GateEventEntity): Identity | null {
    if (!e.identityJson) return null;
    try {
      return JSON.parse(this.cipher.decryptString(e.identityJson, aad.eventIdentity(e.eventId))) as Identity;
    } catch {
      return null;
    }
  }

  /** One listed event: where, when, and the lane's decision in machine words (the web translates them). */
  row(e: GateEventEntity, raw: Record<string, unknown>): EventRow {
    const d = decisionOf(raw.e_decision_json ?? raw.decision_json);
    const outcome = (raw.e_decision_outcome ?? raw.decision_outcome ?? null) as EventRow['outcome'];
    return {
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
      outcome,
      reasons: d?.reasons ?? [],
      method: d?.method ?? null,
      hasCrop: /"face_crop"/.test(e.attachmentsJson ?? ''),
    };
  }

  /** One event with its decision (raw columns included), or null. */
  async one(eventId: string): Promise<{ e: GateEventEntity; raw: Record<string, unknown>; decision: Decision | null } | null> {
    const { raw, entities } = await this.db
      .getRepository(GateEventEntity)
      .createQueryBuilder('e')
      .addSelect('e.decision_outcome', 'decision_outcome')
      .addSelect('e.decision_json', 'decision_json')
      .where('e.event_id = :eventId', { eventId })
      .getRawAndEntities();
    if (!entities[0]) return null;
    const r = raw[0] as Record<string, unknown>;
    return { e: entities[0], raw: r, decision: decisionOf(r.e_decision_json ?? r.decision_json) };
  }
}

/** Events with an identity a name search reads per call at most. */
export const NAME_SCAN_MAX = 20_000;

/** Lower case, without Vietnamese accents (đ → d), single spaces: "Nguyễn  Văn" and "nguyen van" compare equal. */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

function decisionOf(v: unknown): Decision | null {
  if (!v) return null;
  try {
    return (typeof v === 'string' ? JSON.parse(v) : v) as Decision;
  } catch {
    return null;
  }
}

const encodeCursor = (last: { occurredAt: number; eventId: string }) =>
  Buffer.from(JSON.stringify([last.occurredAt, last.eventId])).toString('base64url');

function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'number' && typeof id === 'string') return { at, id };
  } catch {
    /* fall through */
  }
  throw new BadRequestException('cursor is not one this API issued');
}
