import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import {
  gateMqttClientId,
  topics,
  WatchlistDeltaSchema,
  type WatchlistDelta,
  type WatchlistEdgeEntry,
  type WatchlistResyncRequest,
} from '../../../libs/contracts/src/index.js';
import {
  decodeTemplate,
  WatchlistMatcher,
  type FaceMatch,
  type ListKind,
  type MatchEntry,
} from '../../../libs/watchlist-match/src/index.js';
import { brokerTarget } from '../../../libs/config/src/broker-urls.js';
import { MqttGateLink, type GateLink } from '../mqtt/gate-link.js';
import { WatchlistCacheStore } from './watchlist-cache.store.js';

export interface EdgeWatchlistOptions {
  /**
   * The gate's link to sync over (the edge's MQTT port: the gate service passes the first lane gate's).
   * Without one, the cache opens a link of its own from `mqttUrl` and the login below (tools, tests).
   */
  link?: GateLink;
  /** One broker, or the nodes of a cluster (tried in turn, as the gates' links do). */
  mqttUrl?: string | readonly string[];
  siteId: string;
  /** The gate whose MQTT login is used; resync requests go out under its topic prefix. */
  gateId: string;
  cachePath: string;
  username?: string;
  password?: string;
  /** PEM CA for mqtts:// (the edge's `mqtt.caFile`). */
  caFile?: string;
  /**
   * Cosine threshold for matchFace: one number, or the embedder's calibrated 1:N alert (watchlist)
   * and admit (allowlist) thresholds with the alert REVIEW floor.
   */
  faceThreshold: number | { watchlist: number; allowlist: number; watchlistReview?: number };
  reconnectMs?: number;
}

const toMatch = (e: WatchlistEdgeEntry): MatchEntry => ({
  entryId: e.entryId,
  listKind: e.listKind,
  severity: e.severity,
  idNumberHmac: e.idNumberHmac,
  templates: e.templates.map(decodeTemplate),
  validFrom: e.validFrom ? Date.parse(e.validFrom) : undefined,
  validUntil: e.validUntil ? Date.parse(e.validUntil) : undefined,
});

/**
 * The gate's watchlist: a SQLite cache kept in step with the hub by ordered deltas, and the same
 * matcher the hub uses. On every (re)connect and on a sequence gap it asks the hub for a full
 * snapshot; it answers `matchIdNumber` / `matchFace` from the cache whether or not the hub is up.
 * Emits `change` (seq) after each applied delta or snapshot.
 */
export class EdgeWatchlist extends EventEmitter {
  private readonly store: WatchlistCacheStore;
  private readonly matcher = new WatchlistMatcher();
  private link: GateLink | null = null;
  /** The link was opened here (and is closed here). */
  private ownsLink = false;
  private unsubscribe: (() => void) | undefined;
  private parts = new Map<number, WatchlistDelta>();
  private partsSeq = -1;

  constructor(private readonly opts: EdgeWatchlistOptions) {
    super();
    this.store = new WatchlistCacheStore(opts.cachePath);
    for (const e of this.store.all()) this.matcher.upsert(toMatch(e));
  }

  get seq(): number {
    return this.store.seq();
  }

  get size(): number {
    return this.matcher.size;
  }

  async start(): Promise<void> {
    const link = this.opts.link ?? this.openLink();
    this.link = link;
    this.unsubscribe = link.subscribe(
      topics.siteWatchlist(this.opts.siteId),
      1,
      (payload) => this.onMessage(payload),
      (err) => {
        if (!err) this.requestResync();
      },
    );
  }

  /** A connection of its own under the gate's login (its own client id, so it does not take over the gate's). */
  private openLink(): GateLink {
    if (!this.opts.mqttUrl) throw new Error('EdgeWatchlist: neither a link nor mqttUrl');
    const target = brokerTarget(typeof this.opts.mqttUrl === 'string' ? [this.opts.mqttUrl] : this.opts.mqttUrl);
    const client = mqtt.connect(target.url, {
      ...target.options,
      // A second connection of the same gate login; its own id so it does not take over the gate's.
      clientId: gateMqttClientId(this.opts.siteId, this.opts.gateId, 'watchlist'),
      clean: true,
      protocolVersion: 4,
      username: this.opts.username,
      password: this.opts.password,
      ca: this.opts.caFile ? readFileSync(this.opts.caFile) : undefined,
      reconnectPeriod: this.opts.reconnectMs ?? 2000,
    });
    client.on('error', () => undefined);
    this.ownsLink = true;
    return new MqttGateLink(this.opts.gateId, client);
  }

  /** Active entries with this CCCD-number HMAC (HMAC made with the deployment's ID key). */
  matchIdNumber(hmac: string, listKind?: ListKind, at = Date.now()): MatchEntry[] {
    return this.matcher.matchIdNumber(hmac, at, listKind);
  }

  /** Active entries whose face matches this template, best first. */
  matchFace(template: Float32Array, listKind?: ListKind, at = Date.now()): FaceMatch[] {
    const t = this.opts.faceThreshold;
    if (typeof t === 'number') return this.matcher.matchFace(template, { threshold: t, at, listKind });
    const kinds: ListKind[] = listKind ? [listKind] : ['watchlist', 'allowlist'];
    return kinds
      .flatMap((k) => this.matcher.matchFace(template, { threshold: t[k], at, listKind: k }))
      .sort((a, b) => b.similarity - a.similarity);
  }

  /** The closest active watchlist entry scoring in the alert REVIEW band (below a hit), if any. */
  nearWatchlist(template: Float32Array, at = Date.now()): FaceMatch | undefined {
    const t = this.opts.faceThreshold;
    if (typeof t === 'number' || t.watchlistReview === undefined || t.watchlistReview >= t.watchlist) return undefined;
    return this.matcher
      .matchFace(template, { threshold: t.watchlistReview, at, listKind: 'watchlist' })
      .find((m) => m.similarity < t.watchlist);
  }

  private requestResync(): void {
    const req: WatchlistResyncRequest = {
      siteId: this.opts.siteId,
      gateId: this.opts.gateId,
      haveSeq: this.store.seq(),
      requestedAt: new Date().toISOString(),
    };
    this.link?.publish(topics.gateWatchlistResync(this.opts.siteId, this.opts.gateId), JSON.stringify(req));
  }

  private onMessage(payload: Buffer): void {
    let d: WatchlistDelta;
    try {
      d = WatchlistDeltaSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch {
      return;
    }
    if (d.siteId !== this.opts.siteId) return;
    if (d.full) return this.onSnapshotPart(d);
    const have = this.store.seq();
    if (d.seq <= have) return;
    if (d.seq !== have + 1) return this.requestResync();
    this.store.apply(d.seq, d.upserts, d.removes);
    for (const id of d.removes) this.matcher.remove(id);
    for (const e of d.upserts) this.matcher.upsert(toMatch(e));
    this.emit('change', d.seq);
  }

  private onSnapshotPart(d: WatchlistDelta): void {
    if (d.seq !== this.partsSeq) {
      this.parts = new Map();
      this.partsSeq = d.seq;
    }
    this.parts.set(d.part ?? 1, d);
    const total = d.parts ?? 1;
    if (this.parts.size < total) return;
    const upserts = [...this.parts.values()].flatMap((p) => p.upserts);
    this.parts = new Map();
    this.partsSeq = -1;
    this.store.apply(d.seq, upserts, [], true);
    this.matcher.clear();
    for (const e of upserts) this.matcher.upsert(toMatch(e));
    this.emit('change', d.seq);
  }

  async close(): Promise<void> {
    // On a shared gate link the subscription ends here: no delta reaches the closed cache.
    this.unsubscribe?.();
    if (this.ownsLink) await this.link?.close();
    this.link = null;
    this.store.close();
  }
}
