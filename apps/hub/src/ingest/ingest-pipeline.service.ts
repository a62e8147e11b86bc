import { Inject, Injectable } from '@nestjs/common';
import { describeSchemaError, GateEventSchema, MAX_EVENT_PAYLOAD_BYTES, parseGateTopic } from '../../../../libs/contracts/src/index.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { Clock } from '../time/clock.js';
import { DeadLetterService } from './dead-letter.service.js';
import { EventBatcher } from './event-batcher.service.js';
import { GateStatusService } from './gate-status.service.js';

/**
 * Every MQTT message from any source goes through `accept`: size, topic, JSON, schema, topic/payload
 * agreement and the gate registry are checked in that order; a failure is dead-lettered and
 * acknowledged (resending it cannot help), and never stops ingest.
 */
@Injectable()
export class IngestPipeline {
  constructor(
    private readonly registry: SiteRegistry,
    private readonly batcher: EventBatcher,
    private readonly deadLetters: DeadLetterService,
    private readonly status: GateStatusService,
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Accepted event times: from the oldest an offline backlog may be (HUB_EVENT_MAX_AGE_DAYS, capped at
   * the events' retention so a purged event cannot come back and be counted twice) to the edge clock
   * skew allowed ahead (HUB_EVENT_MAX_FUTURE_S).
   */
  occurredWindow(now: number, siteId?: string): { from: number; to: number } {
    // A site may keep its events for less (or more) than the hub's default (Administration → Sites).
    const days = (siteId ? this.registry.site(siteId)?.retention?.eventsDays : undefined) ?? this.cfg.retentionEventsDays;
    const retention = days > 0 ? days : Infinity;
    return { from: now - Math.min(this.cfg.eventMaxAgeDays, retention) * 86_400_000, to: now + this.cfg.eventMaxFutureS * 1000 };
  }

  async accept(topic: string, payload: Buffer): Promise<void> {
    const receivedAt = this.clock.now();
    if (payload.length > MAX_EVENT_PAYLOAD_BYTES)
      return this.deadLetters.reject(topic, payload, 'oversized', `${payload.length} bytes, limit ${MAX_EVENT_PAYLOAD_BYTES}`);
    const t = parseGateTopic(topic);
    if (!t || t.kind === 'commands' || t.kind === 'lanes')
      return this.deadLetters.reject(topic, payload, 'unknown_topic', 'not a gate events or status topic');
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (e) {
      return this.deadLetters.reject(topic, payload, 'malformed_json', (e as Error).message);
    }
    if (t.kind === 'status') return this.status.accept(topic, payload, json);
    const r = GateEventSchema.safeParse(json);
    if (!r.success) return this.deadLetters.reject(topic, payload, 'schema', describeSchemaError(r.error));
    const ev = r.data;
    if (ev.siteId !== t.siteId || ev.gateId !== t.gateId)
      return this.deadLetters.reject(
        topic,
        payload,
        'topic_mismatch',
        `payload says ${ev.siteId}/${ev.gateId}, topic says ${t.siteId}/${t.gateId}`,
      );
    const gate = this.registry.gate(ev.siteId, ev.gateId);
    if (!gate) return this.deadLetters.reject(topic, payload, 'unknown_gate', `gate ${ev.gateId} of site ${ev.siteId} is not registered`);
    if (gate.zoneId !== ev.zoneId)
      return this.deadLetters.reject(
        topic,
        payload,
        'unknown_gate',
        `gate ${ev.gateId} is in zone ${gate.zoneId}, event says ${ev.zoneId}`,
      );
    const at = Date.parse(ev.occurredAt);
    const window = this.occurredWindow(receivedAt, ev.siteId);
    if (at < window.from || at > window.to)
      return this.deadLetters.reject(
        topic,
        payload,
        'occurred_at_out_of_range',
        `occurredAt ${ev.occurredAt} is outside ${new Date(window.from).toISOString()} … ${new Date(window.to).toISOString()} (hub clock ${new Date(receivedAt).toISOString()})`,
      );
    if (ev.laneId !== undefined && !this.registry.laneEventAllowed(ev.siteId, ev.gateId, ev.laneId))
      return this.deadLetters.reject(
        topic,
        payload,
        'unknown_lane',
        `lane ${ev.laneId} is not configured for gate ${ev.gateId} of site ${ev.siteId}`,
      );
    return this.batcher.submit(ev, receivedAt);
  }
}
