import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditQuery, AuditRow } from '../../../../libs/contracts/src/index.js';
import { AuditEntryEntity } from '../database/entities/index.js';
import { actorName, type Principal } from '../auth/principal.js';

export interface AuditRecord {
  /** A principal, or a name such as `system` or `cli`. */
  actor: Principal | string;
  /** Dotted verb: `auth.login`, `user.create`, `watchlist.read`, `person.export`, … */
  action: string;
  /** What kind of data was touched: `user`, `watchlist_entry`, `event_identity`, `person`, … */
  subjectType: string;
  subjectId?: string | number | null;
  siteId?: string | null;
  /** Small, non-sensitive context (never the personal data itself). */
  detail?: Record<string, unknown> | null;
}

/**
 * The audit log of personal-data processing: who read, changed, exported or erased what, and every
 * login. Written synchronously with the action it records, so a caller can await it before answering.
 */
/** The same entry (actor, action, subject, site, detail) again within this window is counted, not written again. */
export const AUDIT_COALESCE_MS = 10_000;
const MAX_KEYS = 10_000;

interface Coalesced {
  /** When the key's row was last written. */
  at: number;
  /** Identical entries folded since then, not yet written. */
  repeats: number;
  /** When the last of them came. */
  lastAt: number;
  /** The entry, to write its count at shutdown. */
  entry: AuditRecord;
}

@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly log = new Logger('Audit');
  /** Entry key → when it was last written and how many identical ones came since. */
  private readonly recent = new Map<string, Coalesced>();

  constructor(private readonly db: DataSource) {}

  /**
   * Writes the entry, unless the very same one (same actor, action, subject, site and detail) was written less
   * than AUDIT_COALESCE_MS ago: then it is only counted, and the next written entry of that key says
   * `repeats` (how many were folded into it). Distinct subjects are always written. So a client that
   * repeats one action in a loop (500 camera views in a second) costs one row per window, not one per
   * request, and nothing that differs is lost.
   */
  async record(r: AuditRecord): Promise<void> {
    const actor = typeof r.actor === 'string' ? r.actor : actorName(r.actor);
    const subjectId = r.subjectId == null ? null : String(r.subjectId);
    const key = `${actor}\n${r.action}\n${r.subjectType}\n${subjectId ?? ''}\n${r.siteId ?? ''}\n${r.detail ? JSON.stringify(r.detail) : ''}`;
    const now = Date.now();
    const last = this.recent.get(key);
    if (last && now - last.at < AUDIT_COALESCE_MS) {
      last.repeats++;
      last.lastAt = now;
      return;
    }
    if (this.recent.size >= MAX_KEYS) {
      // Forgetting a key must not forget its count: evicted keys with folded entries are written first.
      const evicted: Coalesced[] = [];
      for (const [k, v] of this.recent)
        if (now - v.at >= AUDIT_COALESCE_MS || this.recent.size >= MAX_KEYS) {
          this.recent.delete(k);
          if (v.repeats > 0) evicted.push(v);
        }
      for (const v of evicted)
        this.writeRepeats(v).catch((e: Error) => this.log.error(`audit write failed (${v.entry.action} repeats): ${e.message}`));
    }
    this.recent.delete(key);
    this.recent.set(key, { at: now, repeats: 0, lastAt: now, entry: r });
    const detail = last?.repeats ? { ...(r.detail ?? {}), repeats: last.repeats } : r.detail;
    await this.insert(now, actor, subjectId, r, detail);
  }

  /**
   * At shutdown, every key with entries folded since its last row gets one more row for them (the last
   * one, `repeats` the others): without it a burst's count after its first row would be lost with the process. The
   * database is still open here (it closes in the shutdown hook that follows).
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flushRepeats();
  }

  /** Writes the pending counts now (see beforeApplicationShutdown). */
  async flushRepeats(): Promise<void> {
    const pending = [...this.recent.values()].filter((v) => v.repeats > 0);
    this.recent.clear();
    for (const v of pending) {
      try {
        await this.writeRepeats(v);
      } catch (e) {
        this.log.error(`audit write failed (${v.entry.action} repeats): ${(e as Error).message}`);
      }
    }
  }

  private async writeRepeats(v: Coalesced): Promise<void> {
    const r = v.entry;
    const actor = typeof r.actor === 'string' ? r.actor : actorName(r.actor);
    // The row is the last folded entry's (at its time), carrying the others before it as `repeats`, the
    // same reading as every row: it stands for 1 + repeats entries.
    const before = v.repeats - 1;
    v.repeats = 0;
    await this.insert(
      v.lastAt,
      actor,
      r.subjectId == null ? null : String(r.subjectId),
      r,
      before > 0 ? { ...(r.detail ?? {}), repeats: before } : r.detail,
    );
  }

  private async insert(
    at: number,
    actor: string,
    subjectId: string | null,
    r: AuditRecord,
    detail: Record<string, unknown> | null | undefined,
  ): Promise<void> {
    await this.db.getRepository(AuditEntryEntity).insert({
      at,
      actor,
      action: r.action,
      subjectType: r.subjectType,
      subjectId,
      siteId: r.siteId ?? null,
      detailJson: detail ? JSON.stringify(detail) : null,
    });
  }

  /** For paths that must not fail because auditing did (a failed login still answers 401). */
  recordQuietly(r: AuditRecord): void {
    this.record(r).catch((e: Error) => this.log.error(`audit write failed (${r.action}): ${e.message}`));
  }

  async search(q: AuditQuery): Promise<AuditRow[]> {
    const qb = this.db.getRepository(AuditEntryEntity).createQueryBuilder('a');
    if (q.siteId) qb.andWhere('a.site_id = :siteId', { siteId: q.siteId });
    if (q.actor) qb.andWhere('a.actor = :actor', { actor: q.actor });
    if (q.action) qb.andWhere('a.action = :action', { action: q.action });
    if (q.subjectType) qb.andWhere('a.subject_type = :subjectType', { subjectType: q.subjectType });
    if (q.subjectId) qb.andWhere('a.subject_id = :subjectId', { subjectId: q.subjectId });
    if (q.from) qb.andWhere('a.at >= :from', { from: Date.parse(q.from) });
    if (q.to) qb.andWhere('a.at < :to', { to: Date.parse(q.to) });
    if (q.before) qb.andWhere('a.id < :before', { before: q.before });
    const rows = await qb.orderBy('a.id', 'DESC').take(q.limit).getMany();
    return rows.map((a) => ({
      id: a.id,
      at: new Date(a.at).toISOString(),
      actor: a.actor,
      action: a.action,
      subjectType: a.subjectType,
      subjectId: a.subjectId,
      siteId: a.siteId,
      detail: a.detailJson ? (JSON.parse(a.detailJson) as unknown) : null,
    }));
  }
}
