import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import mqtt, { type MqttClient } from 'mqtt';
import { DataSource, In, type EntityManager } from 'typeorm';
import {
  topicFilters,
  topics,
  WatchlistResyncRequestSchema,
  type WatchlistDelta,
  type WatchlistEdgeEntry,
} from '../../../../libs/contracts/src/index.js';
import { EmbeddedBroker } from '../broker/embedded-broker.service.js';
import { externalBrokerLogin } from '../broker/external-broker-login.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { WatchlistEntryEntity, WatchlistOutboxEntity, WatchlistSyncEntity } from '../database/entities/index.js';
import { placeholders } from '../database/sql-dialect.js';
import { WatchlistRepository } from './watchlist.repository.js';

/** Entries per message of a full snapshot (templates make an entry up to ~11 kB). */
const SNAPSHOT_PART = 200;
/** Unpublished changes are retried this often (broker down, database busy). */
const RETRY_MS = 2_000;

/**
 * Watchlist delta sync to the edges: every change is recorded with the next sequence number in the
 * change's own transaction (outbox) and published from there on the site's watchlist topic (QoS 1). An edge that connects, or sees a gap, asks on its resync topic and
 * gets a full snapshot (in parts) at the current sequence. Uses the embedded broker in-process, or a
 * publisher connection to an external broker.
 */
@Injectable()
export class WatchlistSyncPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WatchlistSync');
  private client: MqttClient | null = null;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  /** Serialises seq allocation + publish so deltas leave in sequence order. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly broker: EmbeddedBroker,
    private readonly db: DataSource,
    private readonly repo: WatchlistRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const onRequest = (payload: Buffer) => void this.handleResync(payload);
    if (this.broker.enabled) {
      const aedes = this.broker.instance!;
      await new Promise<void>((r) =>
        aedes.subscribe(topicFilters.allWatchlistResync, (packet: { payload: Buffer | string }, cb: () => void) => {
          onRequest(Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
          cb();
        }, r),
      );
      void this.publishPending();
      return;
    }
    const client = mqtt.connect(this.cfg.mqttUrl!, {
      clientId: `cg-${this.cfg.instanceId}-watchlist`,
      clean: true,
      protocolVersion: 4,
      ...externalBrokerLogin(this.cfg),
      reconnectPeriod: 1000,
    });
    client.on('connect', () => client.subscribe(topicFilters.allWatchlistResync, { qos: 1 }));
    client.on('message', (_t, payload) => onRequest(payload));
    client.on('error', (e) => this.log.warn(`broker: ${e.message}`));
    this.client = client;
    void this.publishPending();
  }

  /**
   * Records one change of a site's watchlist inside the caller's transaction: the next sequence number
   * and an outbox row commit or roll back with the change itself, so hub and edges cannot end up at
   * the same sequence number with a change missing. Publish with `publishPending` after the commit.
   */
  async recordChange(m: EntityManager, siteId: string, upsertIds: readonly string[], removeIds: readonly string[]): Promise<number> {
    const p = placeholders(this.db);
    // One statement takes the row lock (PostgreSQL) and allocates the number: concurrent changes of a
    // site commit in sequence order.
    const rows: { seq: number | string }[] = await m.query(
      `INSERT INTO watchlist_sync (site_id, seq) VALUES (${p(1)}, 1) ON CONFLICT (site_id) DO UPDATE SET seq = watchlist_sync.seq + 1 RETURNING seq`,
      [siteId],
    );
    const seq = Number(rows[0]!.seq);
    await m.getRepository(WatchlistOutboxEntity).insert({ siteId, seq, upserts: JSON.stringify(upsertIds), removes: JSON.stringify(removeIds), createdAt: Date.now() });
    return seq;
  }

  /** A change in its own transaction, published before this resolves (tests, tools). */
  async publishChange(siteId: string, upsertIds: readonly string[], removeIds: readonly string[]): Promise<number> {
    const seq = await this.db.transaction((m) => this.recordChange(m, siteId, upsertIds, removeIds));
    await this.publishPending();
    return seq;
  }

  /**
   * Publishes every outbox row in sequence order, each delta built from the entries as they are now
   * (an entry deleted meanwhile is left to the later delta that removes it), and deletes the row once
   * the broker has it. A failure leaves the rest for the next try (retried every few seconds, and at
   * start), so a crash or a broker outage delays a change but never loses it.
   */
  publishPending(): Promise<void> {
    return this.serial(async () => {
      clearTimeout(this.retry);
      try {
        const outbox = this.db.getRepository(WatchlistOutboxEntity);
        for (const row of await outbox.find({ order: { siteId: 'ASC', seq: 'ASC' } })) {
          const ids = JSON.parse(row.upserts) as string[];
          const found = ids.length ? await this.db.getRepository(WatchlistEntryEntity).findBy({ id: In(ids) }) : [];
          const upserts = (await this.repo.load(found)).map((e) => this.repo.edgeEntry(e));
          const removes = JSON.parse(row.removes) as string[];
          await this.publish(row.siteId, { siteId: row.siteId, seq: row.seq, full: false, issuedAt: new Date().toISOString(), upserts, removes });
          await outbox.delete({ siteId: row.siteId, seq: row.seq });
        }
      } catch (e) {
        this.log.warn(`watchlist changes not published yet (retrying): ${(e as Error).message}`);
        if (!this.closed) this.retry = setTimeout(() => void this.publishPending(), RETRY_MS);
      }
    });
  }

  /** The whole site at the current sequence, in parts. */
  publishSnapshot(siteId: string): Promise<void> {
    return this.serial(async () => {
      const seq = await this.currentSeq(siteId);
      const entries = (await this.repo.loadSite(siteId)).map((e) => this.repo.edgeEntry(e));
      const parts = Math.max(1, Math.ceil(entries.length / SNAPSHOT_PART));
      const issuedAt = new Date().toISOString();
      for (let i = 0; i < parts; i++) {
        const upserts = entries.slice(i * SNAPSHOT_PART, (i + 1) * SNAPSHOT_PART);
        await this.publish(siteId, { siteId, seq, full: true, issuedAt, upserts, removes: [], part: i + 1, parts });
      }
    });
  }

  async currentSeq(siteId: string): Promise<number> {
    return (await this.db.getRepository(WatchlistSyncEntity).findOneBy({ siteId }))?.seq ?? 0;
  }

  private async handleResync(payload: Buffer): Promise<void> {
    let req;
    try {
      req = WatchlistResyncRequestSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch (e) {
      this.log.warn(`bad resync request: ${(e as Error).message}`);
      return;
    }
    if (req.haveSeq === (await this.currentSeq(req.siteId))) return;
    await this.publishSnapshot(req.siteId).catch((e: Error) => this.log.error(`snapshot for ${req.siteId}: ${e.message}`));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async publish(siteId: string, delta: WatchlistDelta): Promise<void> {
    const topic = topics.siteWatchlist(siteId);
    const payload = Buffer.from(JSON.stringify(delta));
    if (this.client) {
      await this.client.publishAsync(topic, payload, { qos: 1 });
      return;
    }
    const aedes = this.broker.instance;
    if (!aedes) return;
    await new Promise<void>((resolve, reject) =>
      aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.client?.endAsync(true).catch(() => undefined);
  }
}
