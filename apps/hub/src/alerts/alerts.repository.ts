import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { Alert, AlertListQuery } from '../../../../libs/contracts/src/index.js';
import { AlertEntity } from '../database/entities/index.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { aad } from '../watchlist/watchlist-aad.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

@Injectable()
export class AlertsRepository {
  constructor(private readonly db: DataSource, private readonly cipher: DataCipher) {}

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

  find(alertId: string): Promise<AlertEntity | null> {
    return this.db.getRepository(AlertEntity).findOneBy({ id: alertId });
  }

  save(row: AlertEntity): Promise<AlertEntity> {
    return this.db.getRepository(AlertEntity).save(row);
  }

  async list(q: AlertListQuery): Promise<AlertEntity[]> {
    return this.db.getRepository(AlertEntity).find({
      where: { siteId: q.siteId, ...(q.status ? { status: q.status } : {}) },
      order: { raisedAt: 'DESC', id: 'ASC' },
      take: q.limit,
    });
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
      snapshotRef: r.snapshotRef,
      occurredAt: new Date(r.occurredAt).toISOString(),
      raisedAt: new Date(r.raisedAt).toISOString(),
      status: r.status,
      acknowledgedBy: r.acknowledgedBy,
      acknowledgedAt: iso(r.acknowledgedAt),
      closedBy: r.closedBy,
      closedAt: iso(r.closedAt),
      note: r.note,
    };
  }
}
