import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { EmbeddedBroker } from './embedded-broker.service.js';
import { HubMqtt, PublishNotSent, type IngestPlan, type MqttHandler } from './hub-mqtt.service.js';

/**
 * The hub's MQTT port on the embedded broker (MQTT_URL unset): everything in-process with aedes.
 * Ingest: every gate event arrives in aedes' publish hook and its PUBACK waits for the commit (see
 * EmbeddedBroker); status messages by an in-process subscription.
 */
@Injectable()
export class EmbeddedMqtt extends HubMqtt implements OnModuleInit {
  readonly mode = 'embedded';
  private readonly log = new Logger('Mqtt');

  constructor(private readonly broker: EmbeddedBroker) {
    super();
  }

  async onModuleInit(): Promise<void> {
    await this.broker.start();
  }

  get brokerPort(): number {
    return this.broker.port;
  }

  private get aedes() {
    const aedes = this.broker.instance;
    if (!aedes) throw new PublishNotSent('the embedded MQTT broker is not running');
    return aedes;
  }

  async subscribe(filter: string, _qos: 0 | 1, handler: MqttHandler): Promise<void> {
    await new Promise<void>((r) =>
      this.aedes.subscribe(
        filter,
        (packet: { topic: string; payload: Buffer | string }, cb: () => void) => {
          void Promise.resolve(handler(packet.topic, toBuffer(packet.payload))).catch((e: Error) =>
            this.log.error(`${packet.topic}: ${e.message}`),
          );
          cb();
        },
        r,
      ),
    );
  }

  async publish(topic: string, payload: Buffer): Promise<void> {
    const aedes = this.aedes;
    await new Promise<void>((resolve, reject) =>
      aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (e?: Error | null) =>
        e ? reject(e) : resolve(),
      ),
    );
  }

  publishVolatile(topic: string, payload: Buffer): void {
    this.broker.instance?.publish(
      { cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false },
      (e?: Error | null) => e && this.log.warn(`${topic}: ${e.message}`),
    );
  }

  async openIngest(plan: IngestPlan, handler: MqttHandler): Promise<void> {
    await this.broker.setIngestHandler(handler, plan.statusFilter);
  }

  ingestSessionIds(): string[] {
    return [];
  }

  async closeIngest(): Promise<void> {
    // In-process: nothing to close; aedes stops with the broker.
  }

  connected(): boolean {
    return true;
  }

  disconnectLogin(username: string): void {
    this.broker.disconnect(username);
  }
}

function toBuffer(p: Buffer | string | Uint8Array): Buffer {
  return Buffer.isBuffer(p) ? p : Buffer.from(p);
}
