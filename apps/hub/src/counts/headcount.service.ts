import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { CountsPayload, Totals } from '../../../../libs/contracts/src/index.js';
import { RedisConnection } from '../cluster/redis-connection.js';
import { CommitLock } from '../database/commit-lock.js';
import { CountsChanged, EventsCommitted, HubEvents, type SiteCountsChange } from '../domain-events/ingest-events.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { Clock } from '../time/clock.js';
import { CountsRepository } from './counts.repository.js';
import { DAY_MS, localDay, localDayStart, minuteStart } from './local-day.js';

interface Tally {
  entries: number;
  exits: number;
}

interface SiteToday {
  day: string;
  gates: Map<string, Tally>;
  /** Today's crossings per minute (epoch ms of the minute's start), all gates of the site. */
  minutes: Map<number, Tally>;
}

/**
 * Today's entries and exits per gate and per minute (local day), kept in memory for instant pushes
 * and rebuilt from the minute buckets at start and at each local midnight. Zone and site totals are
 * sums of their gates. It listens to `eventsCommitted` and adds the batch's crossings (the same
 * buckets the store wrote, counts/crossing-minutes.ts), then emits `countsChanged`.
 *
 * The listener runs under the commit lock and tallies are (re)loaded only under that lock, so a load
 * never sees a batch that is then added a second time.
 */
@Injectable()
export class HeadcountService {
  private readonly today = new Map<string, SiteToday>();

  /**
   * Several hub instances (REDIS_URL set) each store their share of the events: every snapshot is then
   * read from the committed minute buckets, so all instances report the same totals.
   */
  private readonly shared: boolean;

  constructor(
    private readonly counts: CountsRepository,
    private readonly registry: SiteRegistry,
    private readonly commits: CommitLock,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
    redis: RedisConnection,
  ) {
    this.shared = redis.enabled;
  }

  get sharedTallies(): boolean {
    return this.shared;
  }

  private async site(siteId: string, now: number): Promise<SiteToday> {
    const day = localDay(now);
    const cur = this.today.get(siteId);
    if (cur && cur.day === day && !this.shared) return cur;
    const rows = await this.counts.dayByGateAndMinute(siteId, localDayStart(now));
    const fresh: SiteToday = { day, gates: new Map(), minutes: new Map() };
    for (const r of rows) add(fresh, r.gateId, r.minute, r.entries, r.exits);
    this.today.set(siteId, fresh);
    return fresh;
  }

  /**
   * A committed batch: adds its crossings that fall on today's local date. A site not yet loaded is
   * loaded from the database, which already holds this batch, so its crossings are not added again.
   */
  @OnEvent(HubEvents.eventsCommitted)
  async onCommitted(batch: EventsCommitted): Promise<void> {
    if (!batch.events.length) return;
    const changes = await this.apply(batch);
    this.events.emit(HubEvents.countsChanged, new CountsChanged(changes));
  }

  private async apply(batch: EventsCommitted, now = this.clock.now()): Promise<SiteCountsChange[]> {
    const todayStart = localDayStart(now);
    const isToday = (ms: number) => ms >= todayStart && ms < todayStart + DAY_MS;
    const sites = new Map<string, { minutes: Set<number>; today: boolean }>();
    for (const e of batch.events) {
      const at = Date.parse(e.occurredAt);
      const s = sites.get(e.siteId) ?? { minutes: new Set<number>(), today: false };
      s.minutes.add(minuteStart(at));
      s.today ||= isToday(at);
      sites.set(e.siteId, s);
    }
    if (!this.shared) {
      const day = localDay(now);
      const loadedNow = new Set<string>();
      for (const [siteId, s] of sites)
        if (s.today && this.today.get(siteId)?.day !== day) {
          await this.site(siteId, now);
          loadedNow.add(siteId);
        }
      for (const c of batch.crossings) {
        if (!isToday(c.minute) || loadedNow.has(c.siteId)) continue;
        add(this.today.get(c.siteId)!, c.gateId, c.minute, c.entries, c.exits);
      }
    }
    return [...sites].map(([siteId, s]) => ({ siteId, minutes: [...s.minutes].sort((a, b) => a - b), today: s.today }));
  }

  async snapshot(siteId: string, now = this.clock.now()): Promise<CountsPayload> {
    const s = await this.current(siteId, now);
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

  private current(siteId: string, now: number): Promise<SiteToday> {
    const cached = !this.shared && this.today.get(siteId)?.day === localDay(now);
    if (cached) return Promise.resolve(this.today.get(siteId)!);
    return this.shared ? this.site(siteId, now) : this.commits.run(() => this.site(siteId, now));
  }

  /**
   * The site's crossings in these minutes (epoch ms of each minute's start), oldest first: from the
   * tallies for today's minutes; from the stored counts for older minutes (an offline backlog) and
   * when instances share the counts.
   */
  async minutes(siteId: string, starts: readonly number[], now = this.clock.now()): Promise<NonNullable<CountsPayload['minutes']>> {
    if (!starts.length) return [];
    const sorted = [...starts].sort((a, b) => a - b);
    const s = this.shared ? undefined : this.today.get(siteId);
    const todayStart = localDayStart(now);
    const inMemory = (m: number) => s !== undefined && s.day === localDay(now) && m >= todayStart && m < todayStart + DAY_MS;
    const older = sorted.filter((m) => !inMemory(m));
    const found = older.length ? await this.counts.minuteTotals(siteId, older) : new Map<number, Tally>();
    // A minute the batch touched with refusals only has no crossings: it is 0, and says so.
    return sorted.map((m) => {
      const t = inMemory(m) ? s!.minutes.get(m) : found.get(m);
      return { start: new Date(m).toISOString(), entries: t?.entries ?? 0, exits: t?.exits ?? 0 };
    });
  }

  /** Forget cached totals (tests, and after a retention purge). */
  reset(): void {
    this.today.clear();
  }
}

function add(s: SiteToday, gateId: string, minute: number, entries: number, exits: number): void {
  const g = s.gates.get(gateId) ?? { entries: 0, exits: 0 };
  g.entries += entries;
  g.exits += exits;
  s.gates.set(gateId, g);
  const m = s.minutes.get(minute) ?? { entries: 0, exits: 0 };
  m.entries += entries;
  m.exits += exits;
  s.minutes.set(minute, m);
}
