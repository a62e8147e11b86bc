import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, In, IsNull, type EntityManager } from 'typeorm';
import {
  MAX_ERASE_REFS,
  MediaReplySchema,
  MediaRequestSchema,
  parseMediaReplyTopic,
  topicFilters,
  topics,
  type MediaReply,
  type MediaRequest,
} from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { HubMqtt } from '../broker/hub-mqtt.service.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { EdgeMediaEraseEntity } from '../database/entities/index.js';

export type CropReply = Extract<MediaReply, { type: 'crop' }>;

/** What a person-erase asked of one gate's edge, and whether it confirmed. */
export interface EdgeEraseState {
  requestId: string;
  siteId: string;
  gateId: string;
  crops: number;
  confirmed: boolean;
  deleted: number | null;
}

/**
 * The hub's side of the face crops kept by the edges (over MQTT, on each gate's media-requests /
 * media-replies topics): fetching one crop for an allowed viewer (held in memory for the answer only,
 * never stored on the hub), and person-erase orders, written to `edge_media_erase` in the erase's own
 * transaction and sent again every `edgeEraseRetryS` until the edge acknowledges, across hub restarts.
 * Every hub instance receives every reply: the one that asked answers its caller, and any instance
 * records an acknowledgement (once).
 */
@Injectable()
export class EdgeMediaService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('EdgeMedia');
  private readonly waiting = new Map<string, { siteId: string; gateId: string; resolve: (r: CropReply) => void }>();
  private retry: NodeJS.Timeout | undefined;
  private sending: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly mqtt: HubMqtt,
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const onReply = (topic: string, payload: Buffer) =>
      void this.onReply(topic, payload).catch((e: Error) => this.log.error(`media reply: ${e.message}`));
    // Through HubMqtt (the one client layer): in-process on the embedded broker, the hub's control connection on an external one.
    await this.mqtt.subscribe(topicFilters.allGateMediaReplies, 1, onReply);
    this.schedule(0);
  }

  /**
   * Asks the edge of `siteId/gateId` for one crop; null when no answer came within `cropTimeoutMs`
   * (edge offline, broker down). The request expires on the edge at the same time.
   */
  async fetchCrop(siteId: string, gateId: string, eventId: string, ref: string): Promise<CropReply | null> {
    const timeoutMs = this.cfg.cropTimeoutMs;
    const requestId = randomUUID();
    const req: MediaRequest = {
      type: 'crop_get',
      requestId,
      siteId,
      gateId,
      eventId,
      ref,
      expiresAt: new Date(Date.now() + timeoutMs).toISOString(),
    };
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<CropReply | null>((resolve) => {
      this.waiting.set(requestId, { siteId, gateId, resolve });
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      await this.publish(req).catch((e: Error) => this.log.warn(`crop request not sent: ${e.message}`));
      return await answered;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(requestId);
    }
  }

  /**
   * Records, inside the person-erase's transaction, one order per gate (split at MAX_ERASE_REFS) to
   * delete these crops; send with `sendPendingErases` after the commit. Returns the request ids.
   */
  async recordErase(
    m: EntityManager,
    subject: string,
    crops: readonly { siteId: string; gateId: string; ref: string }[],
  ): Promise<string[]> {
    const byGate = new Map<string, { siteId: string; gateId: string; refs: string[] }>();
    for (const c of crops) {
      const k = `${c.siteId}/${c.gateId}`;
      const g = byGate.get(k) ?? { siteId: c.siteId, gateId: c.gateId, refs: [] };
      if (!g.refs.includes(c.ref)) g.refs.push(c.ref);
      byGate.set(k, g);
    }
    const ids: string[] = [];
    const now = Date.now();
    for (const g of byGate.values()) {
      for (let i = 0; i < g.refs.length; i += MAX_ERASE_REFS) {
        const refs = g.refs.slice(i, i + MAX_ERASE_REFS);
        const requestId = randomUUID();
        await m.getRepository(EdgeMediaEraseEntity).insert({
          requestId,
          subject,
          siteId: g.siteId,
          gateId: g.gateId,
          refs: JSON.stringify(refs),
          cropCount: refs.length,
          createdAt: now,
          attempts: 0,
          lastSentAt: null,
          ackedAt: null,
          deleted: null,
          missing: null,
        });
        ids.push(requestId);
      }
    }
    return ids;
  }

  /** Sends every unacknowledged erase order (at start, after an erase, and every `edgeEraseRetryS`). */
  sendPendingErases(): Promise<void> {
    // A pass already under way may have read the outbox before the caller's rows were committed: run
    // once more after it.
    if (this.sending) {
      this.again = true;
      return this.sending;
    }
    const run = async () => {
      do {
        this.again = false;
        await this.sendNow();
      } while (this.again && !this.closed);
    };
    this.sending = run().finally(() => (this.sending = null));
    return this.sending;
  }

  private async sendNow(): Promise<void> {
    const repo = this.db.getRepository(EdgeMediaEraseEntity);
    try {
      for (const row of await repo.find({ where: { ackedAt: IsNull() }, order: { createdAt: 'ASC' } })) {
        if (this.closed) return;
        await this.publish({
          type: 'crop_erase',
          requestId: row.requestId,
          siteId: row.siteId,
          gateId: row.gateId,
          refs: JSON.parse(row.refs) as string[],
        });
        await repo.update({ requestId: row.requestId }, { attempts: row.attempts + 1, lastSentAt: Date.now() });
      }
    } catch (e) {
      this.log.warn(`erase orders to the edges not all sent (retrying): ${(e as Error).message}`);
    }
  }

  /** How long a person-erase waits for acknowledgements before answering. */
  get waitMs(): number {
    return this.cfg.edgeEraseWaitMs;
  }

  /** The orders' state, waiting up to `waitMs` for every acknowledgement. */
  async eraseState(requestIds: readonly string[], waitMs: number): Promise<EdgeEraseState[]> {
    const repo = this.db.getRepository(EdgeMediaEraseEntity);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const rows = requestIds.length ? await repo.findBy({ requestId: In([...requestIds]) }) : [];
      if (rows.every((r) => r.ackedAt !== null) || Date.now() >= deadline || this.closed) {
        return rows
          .map((r) => ({
            requestId: r.requestId,
            siteId: r.siteId,
            gateId: r.gateId,
            crops: r.cropCount,
            confirmed: r.ackedAt !== null,
            deleted: r.deleted,
          }))
          .sort((a, b) => `${a.siteId}/${a.gateId}`.localeCompare(`${b.siteId}/${b.gateId}`));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      void this.sendPendingErases().finally(() => this.schedule(this.cfg.edgeEraseRetryS * 1000));
    }, ms);
    this.retry.unref();
  }

  private async onReply(topic: string, payload: Buffer): Promise<void> {
    const from = parseMediaReplyTopic(topic);
    if (!from) return;
    let reply: MediaReply;
    try {
      reply = MediaReplySchema.parse(JSON.parse(payload.toString('utf8')));
    } catch (e) {
      this.log.warn(`media reply from ${from.siteId}/${from.gateId} refused: ${(e as Error).message.slice(0, 200)}`);
      return;
    }
    if (reply.type === 'crop') {
      // Only the gate that was asked may answer (the topic, tied to its login, says who answered).
      const w = this.waiting.get(reply.requestId);
      if (w && w.siteId === from.siteId && w.gateId === from.gateId) w.resolve(reply);
      return;
    }
    const repo = this.db.getRepository(EdgeMediaEraseEntity);
    const row = await repo.findOneBy({ requestId: reply.requestId, siteId: from.siteId, gateId: from.gateId });
    if (!row || row.ackedAt !== null) return;
    const done = await repo.update(
      { requestId: row.requestId, ackedAt: IsNull() },
      { ackedAt: Date.now(), deleted: reply.deleted, missing: reply.missing, refs: '[]' },
    );
    if (!done.affected) return; // another instance recorded it first
    await this.audit.record({
      actor: 'system',
      action: 'person.erase_edge_confirmed',
      subjectType: 'person',
      subjectId: row.subject,
      siteId: row.siteId,
      detail: {
        gateId: row.gateId,
        requestId: row.requestId,
        crops: row.cropCount,
        deleted: reply.deleted,
        missing: reply.missing,
        attempts: row.attempts,
      },
    });
  }

  private async publish(req: MediaRequest): Promise<void> {
    const payload = Buffer.from(JSON.stringify(MediaRequestSchema.parse(req)));
    // Bounded: a request the broker does not take in time is withdrawn (a crop answer would be too late; an erase is resent).
    await this.mqtt.publish(topics.gateMediaRequests(req.siteId, req.gateId), payload, { timeoutMs: this.cfg.cropTimeoutMs });
  }

  // Before HubMqtt closes its connections (onApplicationShutdown): a pass under way finishes first.
  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.sending?.catch(() => undefined);
  }
}
