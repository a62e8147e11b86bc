import { Inject, Injectable, Logger } from '@nestjs/common';
import { describeSchemaError, GateEventSchema, topics, type GateEvent } from '../../../libs/contracts/src/index.js';
import { EDGE_CONFIG } from '../config/edge-config.token.js';
import type { EdgeConfig } from '../config/edge-config.schema.js';
import { GateLinks } from '../mqtt/gate-links.js';
import { GatePublisher } from './gate-publisher.js';
import { OutboxStore } from './outbox.store.js';

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/** An event offered after the edge began shutting down: refused with a clear error, never half-written. */
export class OutboxClosedError extends Error {
  override name = 'OutboxClosedError';
}

/**
 * The only way an event leaves the edge: validated against the shared schema, written to the durable
 * outbox, then published by the gate's publisher. Camera counting, card reads, the gate's decisions
 * and the traffic simulator all call `enqueue`.
 */
@Injectable()
export class OutboxService {
  private readonly log = new Logger('Outbox');
  readonly store: OutboxStore;
  private readonly publishers = new Map<string, GatePublisher>();
  private readonly gateZone = new Map<string, string>();
  delivered = 0;
  private closing = false;

  constructor(
    @Inject(EDGE_CONFIG) private readonly cfg: EdgeConfig,
    links: GateLinks,
  ) {
    this.store = new OutboxStore(cfg.outbox.path, cfg.outbox.synchronous);
    for (const g of cfg.gates) {
      this.gateZone.set(g.id, g.zone);
      const p = new GatePublisher(g.id, links.link(g.id), this.store, cfg.outbox.maxInflight);
      p.onDelivered = (n) => (this.delivered += n);
      this.publishers.set(g.id, p);
    }
    const left = this.store.depth();
    if (left > 0) this.log.log(`${left} events left from before the restart will be sent first`);
  }

  enqueue(event: GateEvent): void {
    this.enqueueMany([event]);
  }

  /** Validates every event first, so one bad event refuses the whole batch and nothing half-lands. */
  enqueueMany(events: readonly GateEvent[]): void {
    if (this.closing) throw new OutboxClosedError('the edge is shutting down: event not accepted');
    const rows = events.map((e) => {
      const r = GateEventSchema.safeParse(e);
      if (!r.success) throw new InvalidEventError(`event refused: ${describeSchemaError(r.error)}`);
      const ev = r.data;
      if (ev.siteId !== this.cfg.site.id) throw new InvalidEventError(`event for site ${ev.siteId}, this edge serves ${this.cfg.site.id}`);
      const zone = this.gateZone.get(ev.gateId);
      if (!zone) throw new InvalidEventError(`event for gate ${ev.gateId}, which this edge does not serve`);
      if (zone !== ev.zoneId) throw new InvalidEventError(`gate ${ev.gateId} is in zone ${zone}, not ${ev.zoneId}`);
      return {
        eventId: ev.eventId,
        gateId: ev.gateId,
        topic: topics.gateEvents(ev.siteId, ev.gateId),
        payload: Buffer.from(JSON.stringify(ev)),
      };
    });
    this.store.append(rows);
    // Per event, at debug level (LOG_LEVEL=debug): the id to follow it to the hub's logs.
    for (const r of rows) this.log.debug({ msg: 'event queued', eventId: r.eventId, gateId: r.gateId });
    for (const gateId of new Set(rows.map((r) => r.gateId))) this.publishers.get(gateId)!.kick();
  }

  depth(): number {
    return this.store.depth();
  }

  /**
   * Step 1 of the publisher's shutdown (after lanes and cameras, which enqueue, have stopped): no new
   * events, no new publishes; waits up to `maxWaitMs` for the PUBACKs already owed and deletes those rows.
   */
  async quiesce(maxWaitMs: number): Promise<void> {
    this.closing = true;
    await Promise.all([...this.publishers.values()].map((p) => p.quiesce(maxWaitMs)));
    for (const p of this.publishers.values()) p.close();
  }

  /** Last step, after the MQTT links are closed: the store closes; unsent rows wait for the next start. */
  close(): void {
    this.closing = true;
    for (const p of this.publishers.values()) p.close();
    const left = this.store.depth();
    this.store.close();
    if (left > 0) this.log.log(`${left} event(s) kept in the outbox for the next start`);
  }
}
