import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import mqtt, { type MqttClient } from 'mqtt';
import { topicFilters } from '../../../../libs/contracts/src/index.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { IngestPipeline } from './ingest-pipeline.service.js';

/**
 * Consumes gate events from an external broker (Mosquitto, EMQX). mqtt.js acknowledges a QoS 1
 * message only when `handleMessage` calls back, which we do after the event is committed, so the
 * broker keeps (and redelivers) anything the hub has not stored. mqtt.js handles one message at a
 * time per connection, so several connections share the subscription (`$share/hub/…`) to let the
 * batcher group their messages into one transaction.
 */
@Injectable()
export class MqttIngestSource implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('MqttIngest');
  private clients: MqttClient[] = [];

  constructor(@Inject(HUB_CONFIG) private readonly cfg: HubConfig, private readonly pipeline: IngestPipeline) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.cfg.mqttUrl) return;
    const n = this.cfg.ingestClients;
    const eventsFilter = n > 1 ? topicFilters.sharedGateEvents(this.cfg.ingestGroup) : topicFilters.allGateEvents;
    for (let i = 0; i < n; i++) {
      const client = mqtt.connect(this.cfg.mqttUrl, {
        clientId: this.clientId(i),
        // A persistent session: while the hub is down the broker queues events for it.
        clean: false,
        protocolVersion: 4,
        username: this.cfg.mqttUsername,
        password: this.cfg.mqttPassword,
        reconnectPeriod: 1000,
        keepalive: 15,
      });
      client.handleMessage = (packet, callback) => {
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        this.pipeline.accept(packet.topic, payload).then(
          () => callback(),
          (e: Error) => {
            this.log.error(`ingest failed on ${packet.topic}: ${e.message}`);
            callback();
          },
        );
      };
      client.on('connect', (ack) => {
        this.log.log(`connection ${i} up (session ${ack.sessionPresent ? 'resumed' : 'new'})`);
        const subs: Record<string, { qos: 1 }> = { [eventsFilter]: { qos: 1 } };
        if (i === 0) subs[topicFilters.allGateStatus] = { qos: 1 };
        client.subscribe(subs, (err) => err && this.log.error(`subscribe failed: ${err.message}`));
      });
      client.on('error', (e) => this.log.warn(`connection ${i}: ${e.message}`));
      this.clients.push(client);
    }
    await Promise.race([
      Promise.all(this.clients.map((c) => new Promise((r) => c.once('connect', r)))),
      new Promise((r) => setTimeout(r, 5000)),
    ]);
  }

  clientId(i: number): string {
    return `cg-${this.cfg.instanceId}-ingest-${i}`;
  }

  connected(): boolean {
    return !this.cfg.mqttUrl || this.clients.some((c) => c.connected);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(false).catch(() => undefined)));
  }
}
