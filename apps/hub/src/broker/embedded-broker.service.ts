import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Aedes } from 'aedes';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { topicFilters } from '../../../../libs/contracts/src/index.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { IngestPipeline } from '../ingest/ingest-pipeline.service.js';

/**
 * The embedded MQTT broker (aedes) used when MQTT_URL is unset: gates connect to the hub itself. The
 * hub subscribes in-process, so messages from many gates are handled concurrently and batched. aedes
 * acknowledges a QoS 1 publish before delivering it; with the broker inside the hub a crash loses the
 * same in-memory messages either way, which is why sites at scale use Mosquitto (see deploy/).
 */
@Injectable()
export class EmbeddedBroker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Broker');
  private aedes: Aedes | null = null;
  private server: Server | null = null;

  constructor(@Inject(HUB_CONFIG) private readonly cfg: HubConfig, private readonly pipeline: IngestPipeline) {}

  get enabled(): boolean {
    return !this.cfg.mqttUrl;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const aedes = await Aedes.createBroker({ concurrency: 1000 });
    this.aedes = aedes;
    const handler = (packet: { topic: string; payload: Buffer | string }, cb: () => void) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      this.pipeline.accept(packet.topic, payload).then(cb, (e: Error) => {
        this.log.error(`ingest failed on ${packet.topic}: ${e.message}`);
        cb();
      });
    };
    await new Promise<void>((r) => aedes.subscribe(topicFilters.allGateEvents, handler, r));
    await new Promise<void>((r) => aedes.subscribe(topicFilters.allGateStatus, handler, r));
    this.server = createServer(aedes.handle);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', (e) => reject(new Error(`embedded MQTT broker cannot listen on ${this.cfg.embeddedMqttHost}:${this.cfg.embeddedMqttPort}: ${e.message}`)));
      this.server!.listen(this.cfg.embeddedMqttPort, this.cfg.embeddedMqttHost, resolve);
    });
    this.log.log(`embedded MQTT broker listening on ${this.cfg.embeddedMqttHost}:${this.port}`);
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  get instance(): Aedes | null {
    return this.aedes;
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((r) => (this.aedes ? this.aedes.close(() => r()) : r()));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
