import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BUCKETS, type CountsQuery, type CountsResponse } from '../../../../libs/contracts/src/index.js';
import { CountMinuteEntity } from '../database/entities/index.js';
import { TZ_OFFSET_MS } from './local-day.js';

/** Sums of minute buckets over a range, regrouped into buckets aligned to local midnight. */
@Injectable()
export class CountsRepository {
  constructor(private readonly db: DataSource) {}

  async range(q: CountsQuery): Promise<CountsResponse> {
    const size = BUCKETS[q.bucket];
    const qb = this.db
      .getRepository(CountMinuteEntity)
      .createQueryBuilder('c')
      .select(`((c.minute + ${TZ_OFFSET_MS}) / ${size}) * ${size} - ${TZ_OFFSET_MS}`, 'start')
      .addSelect('SUM(c.entries)', 'entries')
      .addSelect('SUM(c.exits)', 'exits')
      .where('c.site_id = :siteId', { siteId: q.siteId })
      .andWhere('c.minute >= :from AND c.minute < :to', { from: Date.parse(q.from), to: Date.parse(q.to) });
    if (q.zoneId) qb.andWhere('c.zone_id = :zoneId', { zoneId: q.zoneId });
    if (q.gateId) qb.andWhere('c.gate_id = :gateId', { gateId: q.gateId });
    const rows = await qb.groupBy('1').orderBy('1').getRawMany<{ start: string | number; entries: string | number; exits: string | number }>();
    const buckets = rows.map((r) => ({ start: new Date(Number(r.start)).toISOString(), entries: Number(r.entries), exits: Number(r.exits) }));
    return {
      siteId: q.siteId,
      zoneId: q.zoneId,
      gateId: q.gateId,
      bucket: q.bucket,
      totals: { entries: buckets.reduce((a, b) => a + b.entries, 0), exits: buckets.reduce((a, b) => a + b.exits, 0) },
      buckets,
    };
  }
}
