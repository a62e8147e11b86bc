import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { DataSource, In, type EntityManager } from 'typeorm';
import {
  parseResyncTopic,
  topicFilters,
  topics,
  WatchlistResyncRequestSchema,
  type WatchlistDelta,
  type WatchlistResyncRequest,
} from '../../../../libs/contracts/src/index.js';
import { HubMqtt } from '../broker/hub-mqtt.service.js';
import { JobLock } from '../cluster/job-lock.js';
import { OnceClaims } from '../cluster/once-claims.js';
import { WatchlistEntryEntity, WatchlistOutboxEntity, WatchlistSyncEntity } from '../database/entities/index.js';
import { MetricsService } from '../observability/metrics.service.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { WatchlistRepository } from './watchlist.repository.js';

/** Entries per message of a full snapshot (templates make an entry up to ~11 kB). */
const SNAPSHOT_PART = 200;
/** A gate is sent a full snapshot at most this often; a request inside the window is answered at its end. */
export const RESYNC_INTERVAL_MS = 5_000;
/** Unpublished changes are retried this often (broker down, database busy). */
const RETRY_MS = 2_000;

/**
 * The claim that makes one hub instance answer a resync request: every instance receives the same
 * message (topic and bytes), so they all derive the same key from it.
 */
export const resyncClaimKey = (topic: string, payload: Buffer): string =>
  `cg:wl-resync:${createHash('sha256').update(topic).update('\n').update(payload).digest('hex').slice(0, 40)}`;

/** A resync request as far as answering it goes. */
interface Asked {
  claimKey: string;
  gateKey: string;
  siteId: string;
  haveSeq: number;
}

/**
 * Watchlist delta sync to the edges: every change is recorded with the next sequence number in the
 * change's own transaction (outbox) and published from there on the site's watchlist topic (QoS 1). An edge that connects, or sees a gap, asks on its resync topic and
 * gets a full snapshot (in parts) at the current sequence. Through HubMqtt: the embedded broker in-process,
 * or the hub's control connection to an external broker.
 */
@Injectable()
export class WatchlistSyncPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WatchlistSync');
  private retry: NodeJS.Timeout | undefined;
  private readonly lastResync = new Map<string, number>();
  private readonly deferred = new Map<string, { timer: NodeJS.Timeout; asked: Asked }>();
  private readonly takeovers = new Set<NodeJS.Timeout>();
  private readonly pendingSnapshots = new Map<string, Promise<void>>();
  private readonly resyncs: Counter<'result'>;
  private closed = false;
  /** Serialises seq allocation + publish so deltas leave in sequence order. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly mqtt: HubMqtt,
    private readonly db: DataSource,
    private readonly repo: WatchlistRepository,
    private readonly registry: SiteRegistry,
    private readonly claims: OnceClaims,
    private readonly jobs: JobLock,
    metrics: MetricsService,
  ) {
    this.resyncs = metrics.watchlistResyncs;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Never an unhandled rejection: a database error while answering is logged, the gate asks again.
    const onRequest = (topic: string, payload: Buffer) =>
      void this.handleResync(topic, payload).catch((e: Error) => this.log.error(`resync request: ${e.message}`));
    await this.mqtt.subscribe(topicFilters.allWatchlistResync, 1, onRequest);
    void this.publishPending();
  }

  /**
   * Records one change of a site's watchlist inside the caller's transaction: the next sequence number
   * and an outbox row commit or roll back with the change itself, so hub and edges cannot end up at
   * the same sequence number with a change missing. Publish with `publishPending` after the commit.
   */
  async recordChange(m: EntityManager, siteId: string, upsertIds: readonly string[], removeIds: readonly string[]): Promise<number> {
    const seq = await this.repo.nextSeq(m, siteId);
    await m
      .getRepository(WatchlistOutboxEntity)
      .insert({ siteId, seq, upserts: JSON.stringify(upsertIds), removes: JSON.stringify(removeIds), createdAt: Date.now() });
    return seq;
  }

  /** A change in its own transaction, published before this resolves (tests, tools; with several instances, by whichever holds the outbox lock). */
  async publishChange(siteId: string, upsertIds: readonly string[], removeIds: readonly string[]): Promise<number> {
    const seq = await this.db.transaction((m) => this.recordChange(m, siteId, upsertIds, removeIds));
    await this.publishPending();
    return seq;
  }

  /**
   * Publishes every outbox row in sequence order, each delta built from the entries as they are now
   * (an entry deleted meanwhile is left to the later delta that removes it), and deletes the row once
   * the broker has it. A failure leaves the rest for the next try (retried every few seconds, and at
   * start), so a crash or a broker outage delays a change but never loses it. With several hub
   * instances on PostgreSQL one of them publishes at a time (a job lock), so each delta goes out once
   * and in order; an instance that finds the lock taken tries again shortly, in case the holder had
   * read the outbox before this instance's change was committed.
   */
  publishPending(): Promise<void> {
    return this.serial(async () => {
      clearTimeout(this.retry);
      try {
        const ran = await this.jobs.runOnce(
          'watchlist-outbox',
          async () => {
            const outbox = this.db.getRepository(WatchlistOutboxEntity);
            for (const row of await outbox.find({ order: { siteId: 'ASC', seq: 'ASC' } })) {
              const ids = JSON.parse(row.upserts) as string[];
              const found = ids.length ? await this.db.getRepository(WatchlistEntryEntity).findBy({ id: In(ids) }) : [];
              const upserts = (await this.repo.load(found)).map((e) => this.repo.edgeEntry(e));
              const removes = JSON.parse(row.removes) as string[];
              await this.publish(row.siteId, {
                siteId: row.siteId,
                seq: row.seq,
                full: false,
                issuedAt: new Date().toISOString(),
                upserts,
                removes,
              });
              await outbox.delete({ siteId: row.siteId, seq: row.seq });
            }
            return true;
          },
          { quiet: true },
        );
        if (ran === undefined && !this.closed) this.retry = setTimeout(() => void this.publishPending(), RETRY_MS);
      } catch (e) {
        this.log.warn(`watchlist changes not published yet (retrying): ${(e as Error).message}`);
        if (!this.closed) this.retry = setTimeout(() => void this.publishPending(), RETRY_MS);
      }
    });
  }

  /** The whole site at the current sequence, in parts. */
  publishSnapshot(siteId: string): Promise<void> {
    return this.serial(() => this.snapshotNow(siteId));
  }

  private async snapshotNow(siteId: string): Promise<void> {
    const seq = await this.currentSeq(siteId);
    const entries = (await this.repo.loadSite(siteId)).map((e) => this.repo.edgeEntry(e));
    const parts = Math.max(1, Math.ceil(entries.length / SNAPSHOT_PART));
    const issuedAt = new Date().toISOString();
    for (let i = 0; i < parts; i++) {
      const upserts = entries.slice(i * SNAPSHOT_PART, (i + 1) * SNAPSHOT_PART);
      await this.publish(siteId, { siteId, seq, full: true, issuedAt, upserts, removes: [], part: i + 1, parts });
    }
  }

  async currentSeq(siteId: string): Promise<number> {
    return (await this.db.getRepository(WatchlistSyncEntity).findOneBy({ siteId }))?.seq ?? 0;
  }

  /**
   * A gate asks for the full list. The topic names the gate (the broker ACL ties it to the gate's
   * login); a body naming another site or gate, or a gate the hub does not know, is refused. Each gate
   * is answered at most once per RESYNC_INTERVAL_MS (requests inside the window are answered once at
   * its end, with the latest of them), and one pending snapshot answers every gate of the site that
   * asked meanwhile. With several hub instances (REDIS_URL) every instance receives the request and
   * runs the same windows, and a claim per request (OnceClaims) lets exactly one of them answer it.
   */
  private async handleResync(topic: string, payload: Buffer): Promise<void> {
    const from = parseResyncTopic(topic);
    let req: WatchlistResyncRequest;
    try {
      req = WatchlistResyncRequestSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch (e) {
      this.resyncs.inc({ result: 'refused' });
      this.log.warn(`bad resync request: ${(e as Error).message.slice(0, 200)}`);
      return;
    }
    if (!from || req.siteId !== from.siteId || req.gateId !== from.gateId || !this.registry.gate(from.siteId, from.gateId)) {
      this.resyncs.inc({ result: 'refused' });
      this.log.warn(
        `resync request refused: topic ${topic.slice(0, 200)} does not match a known gate or the body (${req.siteId}/${req.gateId})`,
      );
      return;
    }
    const gateKey = `${from.siteId}/${from.gateId}`;
    const asked: Asked = { claimKey: resyncClaimKey(topic, payload), gateKey, siteId: from.siteId, haveSeq: req.haveSeq };
    const now = Date.now();
    const last = this.lastResync.get(gateKey) ?? 0;
    if (now - last < RESYNC_INTERVAL_MS) {
      this.resyncs.inc({ result: 'limited' });
      const waiting = this.deferred.get(gateKey);
      if (waiting) {
        waiting.asked = asked;
        return;
      }
      const entry = {
        asked,
        timer: setTimeout(
          () => {
            this.deferred.delete(gateKey);
            void this.answerOnce(entry.asked).catch((e: Error) => this.log.error(`resync for ${gateKey}: ${e.message}`));
          },
          last + RESYNC_INTERVAL_MS - now,
        ),
      };
      this.deferred.set(gateKey, entry);
      return;
    }
    await this.answerOnce(asked);
  }

  /**
   * Answers under the request's claim. An instance that finds it held counts the request as answered
   * `elsewhere` and looks again once the claim could have lapsed: if the holder died before answering,
   * this instance takes the request over. Redis unreachable: answered here (twice beats never).
   */
  private async answerOnce(asked: Asked, takeover = false): Promise<void> {
    if (this.closed) return;
    if (!takeover) this.lastResync.set(asked.gateKey, Date.now());
    let taken: Awaited<ReturnType<OnceClaims['take']>>;
    try {
      taken = await this.claims.take(asked.claimKey);
    } catch (e) {
      this.log.warn(`resync for ${asked.gateKey}: no claim (${(e as Error).message}), answering here`);
      return this.answerResync(asked.siteId, asked.haveSeq);
    }
    if (taken.kind !== 'won') {
      if (!takeover) this.resyncs.inc({ result: 'elsewhere' });
      if (taken.kind === 'held') {
        const t = setTimeout(() => {
          this.takeovers.delete(t);
          void this.answerOnce(asked, true).catch((e: Error) => this.log.error(`resync for ${asked.gateKey}: ${e.message}`));
        }, taken.retryInMs);
        this.takeovers.add(t);
      }
      return;
    }
    if (takeover) this.log.warn(`resync for ${asked.gateKey}: taken over from an instance that did not finish it`);
    try {
      await this.answerResync(asked.siteId, asked.haveSeq);
    } catch (e) {
      await taken.claim.release().catch(() => undefined);
      throw e;
    }
    await taken.claim.finish();
  }

  private async answerResync(siteId: string, haveSeq: number): Promise<void> {
    if (haveSeq === (await this.currentSeq(siteId))) {
      this.resyncs.inc({ result: 'current' });
      return;
    }
    const pending = this.pendingSnapshots.get(siteId);
    if (pending) {
      this.resyncs.inc({ result: 'coalesced' });
      return pending;
    }
    this.resyncs.inc({ result: 'snapshot' });
    // Pending until it starts: requests meanwhile join it, later ones get a fresh one.
    const run = this.serial(async () => {
      this.pendingSnapshots.delete(siteId);
      await this.snapshotNow(siteId);
    });
    this.pendingSnapshots.set(siteId, run);
    await run;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async publish(siteId: string, delta: WatchlistDelta): Promise<void> {
    const topic = topics.siteWatchlist(siteId);
    const payload = Buffer.from(JSON.stringify(delta));
    await this.mqtt.publish(topic, payload);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    for (const d of this.deferred.values()) clearTimeout(d.timer);
    for (const t of this.takeovers) clearTimeout(t);
  }
}
