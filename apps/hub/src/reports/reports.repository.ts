import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Report, ReportQuery } from '../../../../libs/contracts/src/index.js';
import { CountsRepository } from '../counts/counts.repository.js';
import { DAY_MS, localDayStart, TZ_OFFSET_MS } from '../counts/local-day.js';
import { placeholders } from '../database/sql-dialect.js';

const HOUR_MS = 3_600_000;
/** Ranges up to this long are reported per hour, longer ones per local day. */
const HOURLY_UP_TO_MS = 3 * DAY_MS;

/** A manager's report: totals, the previous period, occupancy through the day, peak hours, refusals. */
@Injectable()
export class ReportsRepository {
  constructor(
    private readonly db: DataSource,
    private readonly counts: CountsRepository,
  ) {}

  async report(q: ReportQuery): Promise<Report> {
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    const scope = { siteId: q.siteId, zoneId: q.zoneId, gateId: q.gateId };
    // Hours from the local midnight before `from`, so occupancy starts from the day's beginning as the wall's does.
    const dayFrom = localDayStart(from);
    const hours = await this.counts.range({ ...scope, from: new Date(dayFrom).toISOString(), to: q.to, bucket: '1h' });
    const prevFrom = from - (to - from);
    const prev = await this.counts.range({ ...scope, from: new Date(prevFrom).toISOString(), to: q.from, bucket: '1d' });

    const bucket = to - from <= HOURLY_UP_TO_MS ? '1h' : '1d';
    const byStart = new Map(hours.buckets.map((b) => [Date.parse(b.start), b]));
    const series = new Map<number, { start: string; entries: number; exits: number; occupancy: number }>();
    const heat = new Map<string, number>();
    const totals = { entries: 0, exits: 0 };
    let peak: Report['peakOccupancy'] = null;
    let occ = 0;
    for (let h = dayFrom; h < to; h += HOUR_MS) {
      if (h === localDayStart(h)) occ = 0;
      const b = byStart.get(h);
      const entries = b?.entries ?? 0;
      const exits = b?.exits ?? 0;
      occ = Math.max(0, occ + entries - exits);
      if (h < from) continue;
      totals.entries += entries;
      totals.exits += exits;
      if (!peak || occ > peak.occupancy) peak = { at: new Date(h).toISOString(), occupancy: occ };
      const local = new Date(h + TZ_OFFSET_MS);
      const weekday = (local.getUTCDay() + 6) % 7;
      const key = `${weekday}/${local.getUTCHours()}`;
      heat.set(key, (heat.get(key) ?? 0) + entries);
      const start = bucket === '1h' ? h : localDayStart(h);
      const s = series.get(start) ?? { start: new Date(start).toISOString(), entries: 0, exits: 0, occupancy: 0 };
      s.entries += entries;
      s.exits += exits;
      s.occupancy = bucket === '1h' ? occ : Math.max(s.occupancy, occ);
      series.set(start, s);
    }
    const heatmap: Report['heatmap'] = [];
    for (let d = 0; d < 7; d++) for (let hr = 0; hr < 24; hr++) heatmap.push([d, hr, heat.get(`${d}/${hr}`) ?? 0]);
    return {
      ...scope,
      from: q.from,
      to: q.to,
      bucket,
      totals,
      previous: { ...prev.totals, from: new Date(prevFrom).toISOString(), to: q.from },
      series: [...series.values()],
      heatmap,
      peakOccupancy: peak,
      ...(await this.refusals(q, from, to)),
    };
  }

  /** Deny decisions by reason; only the reasons column is read (no identity). */
  private async refusals(q: ReportQuery, from: number, to: number): Promise<Pick<Report, 'refusals' | 'refusedDecisions'>> {
    const p = placeholders(this.db);
    const params: unknown[] = [q.siteId, from, to];
    let sql = `SELECT decision_json AS d FROM gate_events WHERE site_id = ${p(1)} AND occurred_at >= ${p(1)} AND occurred_at < ${p(1)} AND decision_outcome = 'deny'`;
    if (q.zoneId) {
      sql += ` AND zone_id = ${p(1)}`;
      params.push(q.zoneId);
    }
    if (q.gateId) {
      sql += ` AND gate_id = ${p(1)}`;
      params.push(q.gateId);
    }
    const rows = (await this.db.query(sql, params)) as { d: string | { reasons?: string[] } | null }[];
    const byReason = new Map<string, number>();
    for (const r of rows) {
      const d = typeof r.d === 'string' ? (JSON.parse(r.d) as { reasons?: string[] }) : r.d;
      // Every reason of a decision counts (a refusal for two reasons adds one to each).
      const reasons = d?.reasons?.length ? d.reasons : ['unknown'];
      for (const reason of reasons) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    return {
      refusals: [...byReason].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
      refusedDecisions: rows.length,
    };
  }
}
