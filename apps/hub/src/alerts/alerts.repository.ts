import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, LessThanOrEqual } from 'typeorm';
import type { Alert, AlertListQuery, AlertSighting, Severity } from '../../../../libs/contracts/src/index.js';
import { AlertEntity, AlertSightingEntity } from '../database/entities/index.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { aad } from '../watchlist/watchlist-aad.js';
import { SEVERITY_RANK } from './alert-rules.service.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ACTIVE = ['open', 'acknowledged'];

/** A sighting of a listed person to fold into an alert or to raise one with. */
export interface Sighting {
  eventId: string;
  entryId: string;
  gateId: string;
  laneId: string | null;
  occurredAt: number;
  matchKind: 'face' | 'face_near' | 'id_number';
  score: number;
  snapshotRef: string | null;
}

@Injectable()
export class AlertsRepository {
  constructor(
    private readonly db: DataSource,
    private readonly cipher: DataCipher,
  ) {}

  /** Inserts new alerts; an (event, entry) pair, or an event's door alarm, alerts once however often it is checked. */
  async insert(rows: AlertEntity[]): Promise<AlertEntity[]> {
    const repo = this.db.getRepository(AlertEntity);
    const out: AlertEntity[] = [];
    for (const r of rows) {
      if (await repo.existsBy({ eventId: r.eventId, entryId: r.entryId ?? IsNull() })) continue;
      await repo.insert(r);
      out.push(r);
    }
    return out;
  }

  /** Whether this event's sighting of this entry is already part of an alert (checks are idempotent). */
  async seen(eventId: string, entryId: string): Promise<boolean> {
    return (
      (await this.db.getRepository(AlertSightingEntity).existsBy({ eventId, entryId })) ||
      (await this.db.getRepository(AlertEntity).existsBy({ eventId, entryId }))
    );
  }

  /** The newest watchlist alert of this entry at this site. */
  latestFor(siteId: string, entryId: string): Promise<AlertEntity | null> {
    return this.db
      .getRepository(AlertEntity)
      .findOne({ where: { siteId, entryId, kind: 'watchlist' }, order: { raisedAt: 'DESC', id: 'DESC' } });
  }

  /** A new alert with its first sighting. */
  async raise(row: AlertEntity, s: Sighting): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.getRepository(AlertEntity).insert(row);
      await m.getRepository(AlertSightingEntity).insert({ ...s, alertId: row.id });
    });
  }

  /**
   * Folds a sighting into an alert: count, last seen, gates, latest event and crop; the row as saved.
   * `raiseTo` lifts the alert's severity (never lowers it): a match seen after a possible match.
   */
  async fold(row: AlertEntity, s: Sighting, raiseTo?: Severity): Promise<AlertEntity> {
    if (raiseTo && SEVERITY_RANK[raiseTo] > SEVERITY_RANK[row.severity]) row.severity = raiseTo;
    const gates = this.gatesOf(row);
    if (!gates.includes(s.gateId)) gates.push(s.gateId);
    const newest = s.occurredAt >= (row.lastSeenAt ?? row.occurredAt);
    Object.assign(row, {
      sightings: row.sightings + 1,
      gatesJson: JSON.stringify(gates),
      ...(newest
        ? {
            lastSeenAt: s.occurredAt,
            lastEventId: s.eventId,
            lastSnapshotRef: s.snapshotRef ?? row.lastSnapshotRef,
            gateId: s.gateId,
            laneId: s.laneId,
            score: s.score,
            matchKind: s.matchKind,
          }
        : {}),
      ...(s.occurredAt < row.occurredAt ? { occurredAt: s.occurredAt } : {}),
    });
    await this.db.transaction(async (m) => {
      await m.getRepository(AlertSightingEntity).insert({ ...s, alertId: row.id });
      // Counted in SQL: two hub instances folding into the same alert at once both count.
      await m.getRepository(AlertEntity).update(row.id, {
        gatesJson: row.gatesJson,
        lastSeenAt: row.lastSeenAt,
        lastEventId: row.lastEventId,
        lastSnapshotRef: row.lastSnapshotRef,
        gateId: row.gateId,
        laneId: row.laneId,
        score: row.score,
        matchKind: row.matchKind,
        occurredAt: row.occurredAt,
        severity: row.severity,
        sightings: () => 'sightings + 1',
      } as never);
    });
    return (await this.find(row.id)) ?? row;
  }

  async sightings(alertId: string): Promise<AlertSighting[]> {
    const rows = await this.db.getRepository(AlertSightingEntity).find({ where: { alertId }, order: { occurredAt: 'ASC' }, take: 500 });
    return rows.map((r) => ({
      eventId: r.eventId,
      gateId: r.gateId,
      laneId: r.laneId,
      occurredAt: new Date(r.occurredAt).toISOString(),
      matchKind: r.matchKind,
      score: r.score,
    }));
  }

  find(alertId: string): Promise<AlertEntity | null> {
    return this.db.getRepository(AlertEntity).findOneBy({ id: alertId });
  }

  findMany(siteId: string, ids: string[]): Promise<AlertEntity[]> {
    return this.db.getRepository(AlertEntity).findBy({ siteId, id: In(ids) });
  }

  save(row: AlertEntity): Promise<AlertEntity> {
    return this.db.getRepository(AlertEntity).save(row);
  }

  /** Open critical alerts raised before `raisedBefore` and not yet escalated, oldest first. */
  overdueCandidates(raisedBefore: number): Promise<AlertEntity[]> {
    return this.db.getRepository(AlertEntity).find({
      where: { status: 'open', severity: 'critical', escalatedAt: IsNull(), raisedAt: LessThanOrEqual(raisedBefore) },
      order: { raisedAt: 'ASC' },
      take: 200,
    });
  }

  /** Marks an alert escalated unless it is already (or no longer open): true for the one caller that did. */
  async claimEscalation(alertId: string, at: number): Promise<boolean> {
    const r = await this.db.getRepository(AlertEntity).update({ id: alertId, escalatedAt: IsNull(), status: 'open' }, { escalatedAt: at });
    return (r.affected ?? 0) === 1;
  }

  async list(q: AlertListQuery): Promise<AlertEntity[]> {
    return this.db.getRepository(AlertEntity).find({
      where: { siteId: q.siteId, ...(q.status ? { status: q.status } : {}) },
      order: { raisedAt: 'DESC', id: 'ASC' },
      take: q.limit,
    });
  }

  isActive(r: AlertEntity): boolean {
    return ACTIVE.includes(r.status);
  }

  gatesOf(r: AlertEntity): string[] {
    if (!r.gatesJson) return [r.gateId];
    try {
      return JSON.parse(r.gatesJson) as string[];
    } catch {
      return [r.gateId];
    }
  }

  view(r: AlertEntity): Alert {
    return {
      alertId: r.id,
      kind: r.kind,
      siteId: r.siteId,
      zoneId: r.zoneId,
      gateId: r.gateId,
      laneId: r.laneId,
      eventId: r.eventId,
      entryId: r.entryId,
      listKind: r.listKind,
      severity: r.severity,
      matchKind: r.matchKind,
      score: r.score,
      fullName: r.fullNameEnc === null ? null : this.cipher.decryptString(r.fullNameEnc, aad.alertName(r.id)),
      reason: r.reason,
      snapshotRef: r.lastSnapshotRef ?? r.snapshotRef,
      occurredAt: new Date(r.occurredAt).toISOString(),
      raisedAt: new Date(r.raisedAt).toISOString(),
      status: r.status,
      acknowledgedBy: r.acknowledgedBy,
      acknowledgedAt: iso(r.acknowledgedAt),
      closedBy: r.closedBy,
      closedAt: iso(r.closedAt),
      note: r.note,
      ackNote: r.ackNote ?? null,
      closeNote: r.closeNote ?? null,
      sightings: r.sightings ?? 1,
      firstSeenAt: new Date(r.occurredAt).toISOString(),
      lastSeenAt: new Date(r.lastSeenAt ?? r.occurredAt).toISOString(),
      gates: this.gatesOf(r),
      lastEventId: r.lastEventId ?? r.eventId,
      escalatedAt: iso(r.escalatedAt ?? null),
    };
  }
}
