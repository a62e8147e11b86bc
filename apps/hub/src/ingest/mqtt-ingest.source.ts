import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { parseGateTopic, topicFilters, topics } from '../../../../libs/contracts/src/index.js';
import { externalBrokerLogin } from '../broker/external-broker-login.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { IngestPipeline } from './ingest-pipeline.service.js';
import { ingestPartition } from './ingest-partition.js';

/** Node's TLS verification failures (untrusted, self-signed, expired, wrong host name). */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME/;

/**
 * Consumes gate events from an external broker (Mosquitto, EMQX).
 *
 * mqtt.js acknowledges a QoS 1 message only when `handleMessage` calls back, which we do after the
 * event is committed, so the broker keeps (and redelivers) anything the hub has not stored. mqtt.js
 * handles one message at a time per connection, so one connection means one commit per message.
 * To let the batcher group messages, the registered gates are split over `ingestClients` persistent
 * sessions, each subscribed to its gates' exact topics: plain subscriptions, which Mosquitto restores
 * after a restart (it does not restore shared ones). A QoS 0 "sentinel" subscription on the wildcard
 * catches gates that are not registered, only to dead-letter them.
 *
 * `ingestShared` instead uses one shared subscription ($share/<group>/…) over the connections, for
 * several hub instances splitting the load (see README, "Scaling the hub").
 */
@Injectable()
export class MqttIngestSource implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('MqttIngest');
  private clients: MqttClient[] = [];
  private readonly subscribed: Promise<void>[] = [];
  private certificateFailure: Error | undefined;
  private onCertificateFailure: ((e: Error) => void) | undefined;

  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly pipeline: IngestPipeline,
    private readonly registry: SiteRegistry,
  ) {}

  clientId(i: number | 'sentinel'): string {
    return `cg-${this.cfg.instanceId}-ingest-${i}`;
  }

  private connect(id: string, clean: boolean): MqttClient {
    const options: IClientOptions = {
      clientId: id,
      // Persistent sessions: while the hub is down the broker queues its events.
      clean,
      protocolVersion: 4,
      ...externalBrokerLogin(this.cfg),
      reconnectPeriod: 1000,
      keepalive: 15,
    };
    const client = mqtt.connect(this.cfg.mqttUrl!, options);
    let lastError = '';
    client.on('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (CERTIFICATE_ERROR.test(code)) {
        // Not a passing network fault: the broker is not who it claims, or the CA is wrong. Stop
        // retrying, and fail the start (or say so loudly if it happens later).
        client.end(true);
        this.certificateFailure ??= new Error(`MQTT broker ${this.cfg.mqttUrl}: TLS certificate refused (${code}): ${e.message}; check MQTT_CA_FILE and the broker's certificate`);
        this.log.error(this.certificateFailure.message);
        this.onCertificateFailure?.(this.certificateFailure);
        return;
      }
      if (e.message !== lastError) this.log.warn(`${id}: ${e.message}`);
      lastError = e.message;
    });
    this.clients.push(client);
    return client;
  }

  private consume(client: MqttClient, filter: (topic: string) => boolean = () => true): void {
    client.handleMessage = (packet, callback) => {
      if (!filter(packet.topic)) return callback();
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      this.pipeline.accept(packet.topic, payload).then(
        () => callback(),
        (e: Error) => {
          this.log.error(`ingest failed on ${packet.topic}: ${e.message}`);
          callback();
        },
      );
    };
  }

  /** Subscribes on every (re)connect; resolves after the first SUBACK (or failure). */
  private subscribeOnConnect(client: MqttClient, subs: Record<string, { qos: 0 | 1 }>): void {
    this.subscribed.push(
      new Promise<void>((resolve) => {
        client.on('connect', (ack) => {
          this.log.log(`${client.options.clientId} up (session ${ack.sessionPresent ? 'resumed' : 'new'}, ${Object.keys(subs).length} subscription(s))`);
          client.subscribe(subs, (err) => {
            if (err) this.log.error(`subscribe failed: ${err.message}`);
            resolve();
          });
        });
      }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.cfg.mqttUrl) return;
    const n = this.cfg.ingestClients;
    if (this.cfg.ingestShared) {
      for (let i = 0; i < n; i++) {
        const c = this.connect(this.clientId(i), false);
        this.consume(c);
        this.subscribeOnConnect(c, {
          [topicFilters.sharedGateEvents(this.cfg.ingestGroup)]: { qos: 1 },
          ...(i === 0 ? { [topicFilters.allGateStatus]: { qos: 1 } } : {}),
        });
      }
    } else {
      const parts = ingestPartition(this.registry.gateRefs(), n);
      parts.forEach((gates, i) => {
        if (gates.length === 0 && i > 0) return;
        const c = this.connect(this.clientId(i), false);
        this.consume(c);
        const subs: Record<string, { qos: 0 | 1 }> = Object.fromEntries(gates.map((g) => [topics.gateEvents(g.siteId, g.gateId), { qos: 1 as const }]));
        if (i === 0) subs[topicFilters.allGateStatus] = { qos: 1 };
        this.subscribeOnConnect(c, subs);
      });
      const sentinel = this.connect(this.clientId('sentinel'), true);
      this.consume(sentinel, (topic) => {
        const t = parseGateTopic(topic);
        return !t || !this.registry.gate(t.siteId, t.gateId);
      });
      this.subscribeOnConnect(sentinel, { [topicFilters.allGateEvents]: { qos: 0 } });
    }
    // Ready once subscribed, not merely connected: on a new session the broker drops what is
    // published before the SUBACK (an edge that connects first would lose its first events).
    await Promise.race([
      Promise.all(this.subscribed),
      new Promise((r) => setTimeout(r, 5000)),
      new Promise((_, reject) => {
        if (this.certificateFailure) reject(this.certificateFailure);
        this.onCertificateFailure = reject;
      }),
    ]);
    this.onCertificateFailure = undefined;
  }

  /** Broker sessions this instance owns (tests remove them from a shared broker afterwards). */
  sessionIds(): string[] {
    return this.clients.map((c) => c.options.clientId!);
  }

  connected(): boolean {
    return !this.cfg.mqttUrl || this.clients.some((c) => c.connected);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(false).catch(() => undefined)));
  }
}
