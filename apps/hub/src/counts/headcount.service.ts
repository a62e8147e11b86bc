import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isCrossing, type CountsPayload, type GateEvent, type Totals } from '../../../../libs/contracts/src/index.js';
import { CountMinuteEntity } from '../database/entities/index.js';
import { RedisConnection } from '../cluster/redis-connection.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { localDay, localDayStart } from './local-day.js';

interface GateTally {
  entries: number;
  exits: number;
}

/**
 * Today's entries and exits per gate (local day), kept in memory for instant pushes and rebuilt from
 * the minute buckets at start and at each local midnight. Zone and site totals are sums of their gates.
 *
 * Storing a batch and adding it to the tallies happen under one lock, and tallies are (re)loaded from
 * the database only under that lock, so a load never sees a batch that is then added a second time.
 */
@Injectable()
export class HeadcountService {
  private readonly today = new Map<string, { day: string; gates: Map<string, GateTally> }>();
  private lock: Promise<unknown> = Promise.resolve();

  /** Runs `fn` with no tally load or other batch in between. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Several hub instances (REDIS_URL set) each store their share of the events: every snapshot is then
   * read from the committed minute buckets, so all instances report the same totals.
   */
  private readonly shared: boolean;

  constructor(private readonly db: DataSource, private readonly registry: SiteRegistry, redis: RedisConnection) {
    this.shared = redis.enabled;
  }

  get sharedTallies(): boolean {
    return this.shared;
  }

  private async site(siteId: string, now = Date.now()) {
    const day = localDay(now);
    const cur = this.today.get(siteId);
    if (cur && cur.day === day && !this.shared) return cur;
    const rows = await this.db
      .getRepository(CountMinuteEntity)
      .createQueryBuilder('c')
      .select('c.gate_id', 'gateId')
      .addSelect('SUM(c.entries)', 'entries')
      .addSelect('SUM(c.exits)', 'exits')
      .where('c.site_id = :siteId AND c.minute >= :from', { siteId, from: localDayStart(now) })
      .groupBy('c.gate_id')
      .getRawMany<{ gateId: string; entries: string | number; exits: string | number }>();
    const gates = new Map(rows.map((r) => [r.gateId, { entries: Number(r.entries), exits: Number(r.exits) }]));
    const fresh = { day, gates };
    this.today.set(siteId, fresh);
    return fresh;
  }

  /**
   * Adds newly stored events (never duplicates) that fall on today's local date; call inside
   * `exclusive`, after the batch is committed. A site not yet loaded is loaded from the database,
   * which already holds this batch, so its events are not added again. Returns touched sites.
   */
  async apply(events: readonly GateEvent[], now = Date.now()): Promise<Set<string>> {
    const touched = new Set<string>();
    const todayStart = localDayStart(now);
    const day = localDay(now);
    const loadedNow = new Set<string>();
    for (const e of events) {
      const at = Date.parse(e.occurredAt);
      if (at < todayStart || at >= todayStart + 86_400_000) continue;
      touched.add(e.siteId);
      if (this.shared) continue;
      if (this.today.get(e.siteId)?.day !== day) {
        await this.site(e.siteId, now);
        loadedNow.add(e.siteId);
      }
      // Same rule as the stored minute counts: a refusal or a door alarm is not a crossing.
      if (loadedNow.has(e.siteId) || !isCrossing(e)) continue;
      const s = this.today.get(e.siteId)!;
      const g = s.gates.get(e.gateId) ?? { entries: 0, exits: 0 };
      if (e.direction === 'entry') g.entries++;
      else g.exits++;
      s.gates.set(e.gateId, g);
    }
    return touched;
  }

  async snapshot(siteId: string, now = Date.now()): Promise<CountsPayload> {
    const cached = !this.shared && this.today.get(siteId)?.day === localDay(now);
    const s = cached ? this.today.get(siteId)! : this.shared ? await this.site(siteId, now) : await this.exclusive(() => this.site(siteId, now));
    const totals = (entries: number, exits: number): Totals => ({ entries, exits, occupancy: Math.max(0, entries - exits) });
    const gates: Record<string, Totals> = {};
    const zones: Record<string, Totals> = {};
    let se = 0;
    let sx = 0;
    for (const [zoneId, gateIds] of this.registry.zonesOf(siteId)) {
      let ze = 0;
      let zx = 0;
      for (const gateId of gateIds) {
        const g = s.gates.get(gateId) ?? { entries: 0, exits: 0 };
        gates[gateId] = totals(g.entries, g.exits);
        ze += g.entries;
        zx += g.exits;
      }
      zones[zoneId] = totals(ze, zx);
      se += ze;
      sx += zx;
    }
    return { siteId, day: s.day, at: new Date(now).toISOString(), site: totals(se, sx), zones, gates };
  }

  /** The site's stored crossings in these minutes (epoch ms of each minute's start), oldest first. */
  async minutes(siteId: string, starts: readonly number[]): Promise<NonNullable<CountsPayload['minutes']>> {
    if (!starts.length) return [];
    const rows = await this.db
      .getRepository(CountMinuteEntity)
      .createQueryBuilder('c')
      .select('c.minute', 'minute')
      .addSelect('SUM(c.entries)', 'entries')
      .addSelect('SUM(c.exits)', 'exits')
      .where('c.site_id = :siteId AND c.minute IN (:...starts)', { siteId, starts: [...starts] })
      .groupBy('c.minute')
      .getRawMany<{ minute: string | number; entries: string | number; exits: string | number }>();
    const found = new Map(rows.map((r) => [Number(r.minute), r]));
    // A minute the batch touched with refusals only has no row: it is 0, and says so.
    return [...starts].sort((a, b) => a - b).map((m) => ({ start: new Date(m).toISOString(), entries: Number(found.get(m)?.entries ?? 0), exits: Number(found.get(m)?.exits ?? 0) }));
  }

  /** Forget cached totals (tests, and after a retention purge). */
  reset(): void {
    this.today.clear();
  }
}
