import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { brokerTarget } from '../../../../libs/config/src/broker-urls.js';
import { HUB_CONFIG, hubBrokerUrls, type HubConfig } from '../config/hub-config.js';
import { patternCovers } from '../mqtt-auth/mqtt-acl.js';
import { externalBrokerLogin } from './external-broker-login.js';
import { HubMqtt, PublishNotSent, type ConsumerSpec, type IngestPlan, type MqttHandler } from './hub-mqtt.service.js';
import { checkPayloadSize } from './payload-limits.js';
import { PubackAfterCommit } from './puback-after-commit.js';

/** Node's TLS verification failures (untrusted, self-signed, expired, wrong host name). */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME/;

/** How long a start waits for the ingest sessions' SUBACKs before going on (logged, not fatal). */
const SUBSCRIBE_WAIT_MS = 5000;

/** One durable ingest connection. */
interface Consumer {
  readonly clientId: string;
  readonly client: MqttClient;
  /** Resolves once subscribed after the first connect (or after a failure to subscribe, logged). */
  readonly subscribed: Promise<void>;
}

/**
 * The hub's MQTT port on an external broker (MQTT_URL set: Mosquitto, NATS, RabbitMQ, EMQX), through
 * mqtt.js connections with the hub's login and CA (external-broker-login.ts): one clean control
 * connection for publishes and control subscriptions, and durable ingest sessions whose QoS 1
 * messages are acknowledged only once handled, in arrival order (PubackAfterCommit), while the next
 * messages are already read (up to the broker's in-flight window).
 */
@Injectable()
export class ExternalMqtt extends HubMqtt implements OnApplicationShutdown {
  readonly mode = 'external';
  readonly brokerPort = 0;
  private readonly log = new Logger('Mqtt');
  private control: MqttClient | null = null;
  private readonly controlSubs = new Map<string, { qos: 0 | 1; handler: MqttHandler }>();
  private consumers: Consumer[] = [];
  private certificateFailure: Error | undefined;
  private readonly certificateWaiters: ((e: Error) => void)[] = [];

  constructor(@Inject(HUB_CONFIG) private readonly cfg: HubConfig) {
    super();
  }

  /** true when the message is over its topic kind's limit (payload-limits.ts): reported, and not to be handled. */
  private refusedForSize(topic: string, payload: Buffer | string | Uint8Array): boolean {
    const over = checkPayloadSize(topic, payload.length);
    if (!over) return false;
    if (this.onOversize) this.onOversize(over, 'the external broker');
    else this.log.warn(`${topic}: ${over.bytes} bytes refused (limit ${over.limit})`);
    return true;
  }

  /** A connection with the hub's login; a TLS certificate refusal stops it for good and is reported. */
  private connect(clientId: string, clean: boolean): MqttClient {
    const options: IClientOptions = {
      clientId,
      clean,
      protocolVersion: 4,
      ...externalBrokerLogin(this.cfg),
      reconnectPeriod: 1000,
      keepalive: 15,
    };
    const target = brokerTarget(hubBrokerUrls(this.cfg));
    const client = mqtt.connect(target.url, { ...options, ...target.options });
    let lastError = '';
    client.on('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (CERTIFICATE_ERROR.test(code)) {
        // Not a passing network fault: the broker is not who it claims, or the CA is wrong. Stop
        // retrying, and fail the start (or say so loudly if it happens later).
        client.end(true);
        this.certificateFailure ??= new Error(
          `MQTT broker ${this.cfg.mqttUrl}: TLS certificate refused (${code}): ${e.message}; check MQTT_CA_FILE and the broker's certificate`,
        );
        this.log.error(this.certificateFailure.message);
        for (const w of this.certificateWaiters.splice(0)) w(this.certificateFailure);
        return;
      }
      if (e.message !== lastError) this.log.warn(`${clientId}: ${e.message}`);
      lastError = e.message;
    });
    return client;
  }

  /** Rejects when a connection's TLS certificate was refused (never resolves otherwise). */
  private certificateRefused(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.certificateFailure) reject(this.certificateFailure);
      else this.certificateWaiters.push(reject);
    });
  }

  private controlClient(): MqttClient {
    if (this.control) return this.control;
    const c = this.connect(`cg-${this.cfg.instanceId}-control`, true);
    c.on('connect', () => {
      for (const [filter, { qos }] of this.controlSubs)
        c.subscribe(filter, { qos }, (e) => e && this.log.error(`subscribe ${filter}: ${e.message}`));
    });
    c.on('message', (topic, payload) => {
      if (this.refusedForSize(topic, payload)) return;
      for (const [filter, { handler }] of this.controlSubs)
        if (patternCovers(filter, topic))
          void Promise.resolve(handler(topic, payload)).catch((e: Error) => this.log.error(`${topic}: ${e.message}`));
    });
    this.control = c;
    return c;
  }

  async subscribe(filter: string, qos: 0 | 1, handler: MqttHandler): Promise<void> {
    this.controlSubs.set(filter, { qos, handler });
    const c = this.controlClient();
    if (c.connected) await c.subscribeAsync(filter, { qos });
  }

  async publish(topic: string, payload: Buffer, opts: { timeoutMs?: number } = {}): Promise<void> {
    const client = this.controlClient();
    if (opts.timeoutMs === undefined) {
      await client.publishAsync(topic, payload, { qos: 1 });
      return;
    }
    if (!client.connected) throw new PublishNotSent('the MQTT broker is unreachable; the message was not sent');
    let messageId: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const acked = new Promise<void>((resolve, reject) => {
      client.publish(topic, payload, { qos: 1 }, (e) => (e ? reject(e) : resolve()));
      messageId = client.getLastMessageId();
    });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new PublishNotSent(`the MQTT broker did not acknowledge within ${opts.timeoutMs} ms; the message was withdrawn`)),
        opts.timeoutMs,
      );
    });
    try {
      await Promise.race([acked, late]);
    } catch (e) {
      acked.catch(() => undefined);
      // Taken back out of mqtt.js' outgoing store: it must not go out when the broker returns.
      if (messageId !== undefined) client.removeOutgoingMessage(messageId);
      throw e instanceof PublishNotSent ? e : new PublishNotSent(`not sent: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  publishVolatile(topic: string, payload: Buffer): void {
    const client = this.controlClient();
    if (client.connected) client.publish(topic, payload, { qos: 0 });
  }

  /**
   * Opens the plan's sessions. Ready once subscribed, not merely connected: on a new session the
   * broker drops what is published before the SUBACK (an edge that connects first would lose its
   * first events). A refused TLS certificate fails the start.
   */
  async openIngest(plan: IngestPlan, handler: MqttHandler): Promise<void> {
    const opened = plan.sessions.map((spec) => this.consume(spec, handler));
    await Promise.race([
      Promise.all(opened.map((c) => c.subscribed)),
      new Promise((r) => setTimeout(r, SUBSCRIBE_WAIT_MS)),
      this.certificateRefused(),
    ]);
  }

  /** One durable session: QoS 1 messages acknowledged after the handler resolves, in arrival order. */
  consume(spec: ConsumerSpec, handler: MqttHandler): Consumer {
    const client = this.connect(spec.clientId, spec.clean);
    const log = this.log;
    const accept = spec.accept ?? (() => true);
    const acks = new PubackAfterCommit(client);
    client.on('close', () => acks.reset());
    client.handleMessage = (packet, callback) => {
      const topic = packet.topic;
      const run =
        accept(topic) && !this.refusedForSize(topic, packet.payload)
          ? Promise.resolve().then(() => handler(topic, toBuffer(packet.payload)))
          : Promise.resolve();
      if (packet.qos !== 1 || packet.messageId === undefined) {
        void run.catch((e: Error) => log.error(`ingest failed on ${topic}: ${e.message}`));
        return callback();
      }
      const handled = acks.track(packet.messageId);
      void run.catch((e: Error) => log.error(`ingest failed on ${topic}: ${e.message}`)).finally(handled);
      callback(PubackAfterCommit.ACK_LATER);
    };
    const subscribed = new Promise<void>((resolve) => {
      client.on('connect', (ack) => {
        log.log(
          `${spec.clientId} up (session ${ack.sessionPresent ? 'resumed' : 'new'}, ${Object.keys(spec.subscriptions).length} subscription(s))`,
        );
        client.subscribe(spec.subscriptions, (err) => {
          if (err) log.error(`subscribe failed: ${err.message}`);
          resolve();
        });
      });
    });
    const consumer = { clientId: spec.clientId, client, subscribed };
    this.consumers.push(consumer);
    return consumer;
  }

  ingestSessionIds(): string[] {
    return this.consumers.map((c) => c.clientId);
  }

  async closeIngest(): Promise<void> {
    await Promise.all(this.consumers.splice(0).map((c) => c.client.endAsync(false).catch(() => undefined)));
  }

  connected(): boolean {
    return this.consumers.some((c) => c.client.connected);
  }

  /** The external broker checks logins itself (its password file / auth callout); nothing held here. */
  disconnectLogin(): void {}

  async onApplicationShutdown(): Promise<void> {
    await this.closeIngest();
    // A graceful end waits for queued publishes; without a connection they would never go, so force it.
    await this.control?.endAsync(!this.control.connected).catch(() => undefined);
  }
}

function toBuffer(p: Buffer | string | Uint8Array): Buffer {
  return Buffer.isBuffer(p) ? p : Buffer.from(p);
}
