import { Inject, Injectable, Logger } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { parseGateTopic, topicFilters, topics } from '../../../../libs/contracts/src/index.js';
import { HubMqtt, type ConsumerSpec } from '../broker/hub-mqtt.service.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { ingestPartition } from './ingest-partition.js';

/** The event patterns of the ingest transport (handlers: IngestController). Internal names, not MQTT topics. */
export const IngestPatterns = {
  /** A gate's events topic. */
  gateEvents: 'gate.events',
  /** A gate's status topic. */
  gateStatus: 'gate.status',
  /** Anything else that reached the hub's subscriptions (dead-lettered). */
  other: 'gate.other',
} as const;

export function ingestPattern(topic: string): string {
  const kind = parseGateTopic(topic)?.kind;
  return kind === 'events' ? IngestPatterns.gateEvents : kind === 'status' ? IngestPatterns.gateStatus : IngestPatterns.other;
}

/** `@Ctx()` of the ingest handlers: the MQTT topic and the raw payload. */
export class MqttIngestContext extends BaseRpcContext<[topic: string, payload: Buffer]> {
  getTopic(): string {
    return this.args[0];
  }

  getPayload(): Buffer {
    return this.args[1];
  }
}

/**
 * The hub's gate ingest as a NestJS microservice: a custom transport strategy over MQTT that hands
 * each message to the `@EventPattern` handler of its topic's kind (IngestController) and
 * acknowledges it only when the handler's promise resolves, which for an event is after the batch
 * holding it is committed. Connections come from HubMqtt (the one MQTT port, chosen at start):
 *
 * - embedded aedes: the handler runs in aedes' publish hook, so the gate's PUBACK waits for the commit;
 * - external broker: `ingestClients` persistent sessions whose PUBACKs are sent after the commit, in
 *   arrival order, while further messages are read meanwhile (up to the broker's in-flight window, e.g.
 *   Mosquitto's max_inflight_messages), so one commit stores many messages. The registered gates are
 *   split over the sessions by a stable hash (ingest-partition.ts): exact-topic subscriptions, which
 *   every broker restores after a restart, and each gate's events keep their order through one
 *   session. A QoS 0 "sentinel" on the wildcard catches gates that are not registered, only to
 *   dead-letter them. `ingestShared` instead uses one shared subscription ($share/<group>/…) over the
 *   sessions, for several hub instances splitting the load (see README, "Scaling the hub").
 */
@Injectable()
export class MqttIngestTransport extends Server implements CustomTransportStrategy {
  private readonly log = new Logger('MqttIngest');

  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly mqtt: HubMqtt,
    private readonly registry: SiteRegistry,
  ) {
    super();
  }

  clientId(i: number | 'sentinel'): string {
    return `cg-${this.cfg.instanceId}-ingest-${i}`;
  }

  /** One message: through its pattern's handler; resolves when that is done (then the message is acknowledged). */
  private readonly dispatch = async (topic: string, payload: Buffer): Promise<void> => {
    const pattern = ingestPattern(topic);
    await this.handleEvent(pattern, { pattern, data: payload }, new MqttIngestContext([topic, payload]));
  };

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await this.mqtt.openIngest({ sessions: this.sessions(), statusFilter: topicFilters.allGateStatus }, this.dispatch);
      callback();
    } catch (e) {
      callback(e);
    }
  }

  /** The durable sessions an external broker opens (the embedded broker needs none). */
  private sessions(): ConsumerSpec[] {
    const n = this.cfg.ingestClients;
    if (this.cfg.ingestShared)
      return Array.from({ length: n }, (_, i) => ({
        clientId: this.clientId(i),
        clean: false,
        subscriptions: {
          [topicFilters.sharedGateEvents(this.cfg.ingestGroup)]: { qos: 1 as const },
          ...(i === 0 ? { [topicFilters.allGateStatus]: { qos: 1 as const } } : {}),
        },
      }));
    const out: ConsumerSpec[] = [];
    ingestPartition(this.registry.gateRefs(), n).forEach((gates, i) => {
      if (gates.length === 0 && i > 0) return;
      const subs: Record<string, { qos: 0 | 1 }> = Object.fromEntries(
        gates.map((g) => [topics.gateEvents(g.siteId, g.gateId), { qos: 1 as const }]),
      );
      if (i === 0) subs[topicFilters.allGateStatus] = { qos: 1 };
      out.push({ clientId: this.clientId(i), clean: false, subscriptions: subs });
    });
    out.push({
      clientId: this.clientId('sentinel'),
      clean: true,
      subscriptions: { [topicFilters.allGateEvents]: { qos: 0 } },
      accept: (topic) => {
        const t = parseGateTopic(topic);
        return !t || !this.registry.gate(t.siteId, t.gateId);
      },
    });
    return out;
  }

  /** Broker sessions this instance owns (tests remove them from a shared broker afterwards). */
  sessionIds(): string[] {
    return this.mqtt.ingestSessionIds();
  }

  async close(): Promise<void> {
    await this.mqtt.closeIngest();
    this.log.debug('ingest connections closed');
  }

  on(): never {
    throw new Error('MqttIngestTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.mqtt as T;
  }
}
