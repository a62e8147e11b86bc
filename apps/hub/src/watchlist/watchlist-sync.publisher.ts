import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import mqtt, { type MqttClient } from 'mqtt';
import { DataSource } from 'typeorm';
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
import { WatchlistSyncEntity } from '../database/entities/index.js';
import { WatchlistRepository } from './watchlist.repository.js';

/** Entries per message of a full snapshot (templates make an entry up to ~11 kB). */
const SNAPSHOT_PART = 200;

/**
 * Watchlist delta sync to the edges: every change is published on the site's watchlist topic with the
 * next sequence number (QoS 1). An edge that connects, or sees a gap, asks on its resync topic and
 * gets a full snapshot (in parts) at the current sequence. Uses the embedded broker in-process, or a
 * publisher connection to an external broker.
 */
@Injectable()
export class WatchlistSyncPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WatchlistSync');
  private client: MqttClient | null = null;
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
  }

  /** Publishes one change of a site's watchlist with the next sequence number. */
  publishChange(siteId: string, upserts: WatchlistEdgeEntry[], removes: string[]): Promise<number> {
    return this.serial(async () => {
      const seq = await this.bumpSeq(siteId);
      await this.publish(siteId, { siteId, seq, full: false, issuedAt: new Date().toISOString(), upserts, removes });
      return seq;
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

  private async bumpSeq(siteId: string): Promise<number> {
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(WatchlistSyncEntity);
      const row = await repo.findOneBy({ siteId });
      const seq = (row?.seq ?? 0) + 1;
      await repo.save({ siteId, seq });
      return seq;
    });
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
    await this.client?.endAsync(true).catch(() => undefined);
  }
}
