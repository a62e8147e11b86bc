import { Injectable } from '@nestjs/common';
import {
  describeSchemaError,
  GateEventSchema,
  MAX_EVENT_PAYLOAD_BYTES,
  parseGateTopic,
} from '../../../../libs/contracts/src/index.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
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
  ) {}

  async accept(topic: string, payload: Buffer): Promise<void> {
    const receivedAt = Date.now();
    if (payload.length > MAX_EVENT_PAYLOAD_BYTES)
      return this.deadLetters.reject(topic, payload, 'oversized', `${payload.length} bytes, limit ${MAX_EVENT_PAYLOAD_BYTES}`);
    const t = parseGateTopic(topic);
    if (!t || t.kind === 'commands' || t.kind === 'lanes') return this.deadLetters.reject(topic, payload, 'unknown_topic', 'not a gate events or status topic');
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
      return this.deadLetters.reject(topic, payload, 'topic_mismatch', `payload says ${ev.siteId}/${ev.gateId}, topic says ${t.siteId}/${t.gateId}`);
    const gate = this.registry.gate(ev.siteId, ev.gateId);
    if (!gate) return this.deadLetters.reject(topic, payload, 'unknown_gate', `gate ${ev.gateId} of site ${ev.siteId} is not registered`);
    if (gate.zoneId !== ev.zoneId)
      return this.deadLetters.reject(topic, payload, 'unknown_gate', `gate ${ev.gateId} is in zone ${gate.zoneId}, event says ${ev.zoneId}`);
    if (ev.laneId !== undefined && !this.registry.laneAllowed(ev.siteId, ev.gateId, ev.laneId))
      return this.deadLetters.reject(topic, payload, 'unknown_lane', `lane ${ev.laneId} is not configured for gate ${ev.gateId} of site ${ev.siteId}`);
    return this.batcher.submit(ev, receivedAt);
  }
}
