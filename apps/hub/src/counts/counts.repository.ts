import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BUCKETS, type CountsQuery, type CountsResponse } from '../../../../libs/contracts/src/index.js';
import { CountMinuteEntity } from '../database/entities/index.js';
import { TZ_OFFSET_MS } from './local-day.js';

type Num = string | number;

/** The stored minute counts (`count_minutes`): ranges for reports, a day for the tallies, minutes for the wall. */
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
    const rows = await qb
      .groupBy('1')
      .orderBy('1')
      .getRawMany<{ start: string | number; entries: string | number; exits: string | number }>();
    const buckets = rows.map((r) => ({
      start: new Date(Number(r.start)).toISOString(),
      entries: Number(r.entries),
      exits: Number(r.exits),
    }));
    return {
      siteId: q.siteId,
      zoneId: q.zoneId,
      gateId: q.gateId,
      bucket: q.bucket,
      totals: { entries: buckets.reduce((a, b) => a + b.entries, 0), exits: buckets.reduce((a, b) => a + b.exits, 0) },
      buckets,
    };
  }

  /** A site's crossings since `from` (epoch ms), per gate and minute: what the tallies load. */
  async dayByGateAndMinute(siteId: string, from: number): Promise<{ gateId: string; minute: number; entries: number; exits: number }[]> {
    const rows = await this.db
      .getRepository(CountMinuteEntity)
      .createQueryBuilder('c')
      .select('c.gate_id', 'gateId')
      .addSelect('c.minute', 'minute')
      .addSelect('SUM(c.entries)', 'entries')
      .addSelect('SUM(c.exits)', 'exits')
      .where('c.site_id = :siteId AND c.minute >= :from', { siteId, from })
      .groupBy('c.gate_id')
      .addGroupBy('c.minute')
      .getRawMany<{ gateId: string; minute: Num; entries: Num; exits: Num }>();
    return rows.map((r) => ({ gateId: r.gateId, minute: Number(r.minute), entries: Number(r.entries), exits: Number(r.exits) }));
  }

  /** A site's crossings in these minutes (epoch ms of each start), all gates; a minute without crossings is absent. */
  async minuteTotals(siteId: string, starts: readonly number[]): Promise<Map<number, { entries: number; exits: number }>> {
    const rows = await this.db
      .getRepository(CountMinuteEntity)
      .createQueryBuilder('c')
      .select('c.minute', 'minute')
      .addSelect('SUM(c.entries)', 'entries')
      .addSelect('SUM(c.exits)', 'exits')
      .where('c.site_id = :siteId AND c.minute IN (:...starts)', { siteId, starts: [...starts] })
      .groupBy('c.minute')
      .getRawMany<{ minute: Num; entries: Num; exits: Num }>();
    return new Map(rows.map((r) => [Number(r.minute), { entries: Number(r.entries), exits: Number(r.exits) }]));
  }
}
