import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { brokerTarget } from '../../../../libs/config/src/broker-urls.js';
import { HUB_CONFIG, hubBrokerUrls, type HubConfig } from '../config/hub-config.js';
import { EmbeddedBroker } from './embedded-broker.service.js';
import { externalBrokerLogin } from './external-broker-login.js';
import { patternCovers } from '../mqtt-auth/mqtt-acl.js';
import { checkPayloadSize, type Oversize } from './payload-limits.js';

/** Node's TLS verification failures (untrusted, self-signed, expired, wrong host name). */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME/;

/** A message for the hub: resolve once it is handled (for ingest: committed); only then is it acknowledged. */
export type MqttHandler = (topic: string, payload: Buffer) => Promise<void> | void;

/** The broker did not take a publish (unreachable, or no PUBACK in time); it will not go out later. */
export class PublishNotSent extends Error {}

/** Passed to mqtt.js' handleMessage callback: go on reading, but do not send the PUBACK (we send it after the commit). */
const ACK_LATER = Object.assign(new Error('acknowledged after the commit'), { ackLater: true });

export interface ConsumerSpec {
  /** The broker session's client id. */
  clientId: string;
  /** false: a persistent session, the broker queues (and redelivers) what is not acknowledged. */
  clean: boolean;
  subscriptions: Record<string, { qos: 0 | 1 }>;
}

/** One durable ingest connection of an external broker. */
export interface Consumer {
  readonly clientId: string;
  readonly connected: boolean;
  /** Resolves once subscribed after the first connect (or after a failure to subscribe, logged). */
  readonly subscribed: Promise<void>;
}

/**
 * The hub's one way to talk MQTT. On the embedded broker (MQTT_URL unset) it works in-process with
 * aedes; on an external broker (Mosquitto, NATS, RabbitMQ, EMQX) through mqtt.js connections with the
 * hub's login and CA (external-broker-login.ts). Gate control, watchlist sync and the ingest
 * transport use only this:
 *
 * - `publish` — QoS 1, resolves on the broker's PUBACK. With `timeoutMs` it fails at once when the
 *   broker is unreachable and withdraws the message when no PUBACK comes in time (gate commands:
 *   an "open" must never go out late); without, it waits for the broker (watchlist deltas).
 * - `subscribe` — control traffic (lane states, resync requests) on a clean session.
 * - `consume` — ingest: a durable session whose QoS 1 messages are acknowledged only once the
 *   handler's promise resolves (after the commit), in the order they arrived, while the next
 *   messages are already read (up to the broker's in-flight window), so the batcher sees many at once.
 *   On the embedded broker the handler is installed in aedes' publish hook (see EmbeddedBroker).
 */
@Injectable()
export class HubMqtt implements OnApplicationShutdown {
  private readonly log = new Logger('Mqtt');
  private control: MqttClient | null = null;
  private readonly controlSubs = new Map<string, { qos: 0 | 1; handler: MqttHandler }>();
  private readonly consumers: MqttClient[] = [];
  private certificateFailure: Error | undefined;
  private readonly certificateWaiters: ((e: Error) => void)[] = [];

  constructor(@Inject(HUB_CONFIG) private readonly cfg: HubConfig, private readonly broker: EmbeddedBroker) {}

  /** Where oversized messages from the external broker go (dead letters; set by PayloadLimitWiring). */
  onOversize: ((o: Oversize, from: string) => void) | null = null;

  /** true when the message is over its topic kind's limit: reported, and not to be handled. */
  private refusedForSize(topic: string, payload: Buffer | string | Uint8Array): boolean {
    const over = checkPayloadSize(topic, payload.length);
    if (!over) return false;
    if (this.onOversize) this.onOversize(over, 'the external broker');
    else this.log.warn(`${topic}: ${over.bytes} bytes refused (limit ${over.limit})`);
    return true;
  }

  get embedded(): boolean {
    return this.broker.enabled;
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
        this.certificateFailure ??= new Error(`MQTT broker ${this.cfg.mqttUrl}: TLS certificate refused (${code}): ${e.message}; check MQTT_CA_FILE and the broker's certificate`);
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
  certificateRefused(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.certificateFailure) reject(this.certificateFailure);
      else this.certificateWaiters.push(reject);
    });
  }

  private controlClient(): MqttClient {
    if (this.control) return this.control;
    const c = this.connect(`cg-${this.cfg.instanceId}-control`, true);
    c.on('connect', () => {
      for (const [filter, { qos }] of this.controlSubs) c.subscribe(filter, { qos }, (e) => e && this.log.error(`subscribe ${filter}: ${e.message}`));
    });
    c.on('message', (topic, payload) => {
      if (this.refusedForSize(topic, payload)) return;
      for (const [filter, { handler }] of this.controlSubs)
        if (patternCovers(filter, topic)) void Promise.resolve(handler(topic, payload)).catch((e: Error) => this.log.error(`${topic}: ${e.message}`));
    });
    this.control = c;
    return c;
  }

  /** Control traffic: the handler's outcome does not delay the acknowledgement. */
  async subscribe(filter: string, qos: 0 | 1, handler: MqttHandler): Promise<void> {
    const aedes = this.broker.instance;
    if (this.embedded) {
      if (!aedes) return;
      await new Promise<void>((r) =>
        aedes.subscribe(filter, (packet: { topic: string; payload: Buffer | string }, cb: () => void) => {
          void Promise.resolve(handler(packet.topic, toBuffer(packet.payload))).catch((e: Error) => this.log.error(`${packet.topic}: ${e.message}`));
          cb();
        }, r),
      );
      return;
    }
    if (!this.cfg.mqttUrl) return;
    this.controlSubs.set(filter, { qos, handler });
    const c = this.controlClient();
    if (c.connected) await c.subscribeAsync(filter, { qos });
  }

  /** QoS 1 publish; see the class comment for `timeoutMs`. */
  async publish(topic: string, payload: Buffer, opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.embedded) {
      const aedes = this.broker.instance;
      if (!aedes) throw new PublishNotSent('the embedded MQTT broker is not running');
      await new Promise<void>((resolve, reject) =>
        aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (e?: Error | null) => (e ? reject(e) : resolve())),
      );
      return;
    }
    if (!this.cfg.mqttUrl) throw new PublishNotSent('no MQTT broker is configured');
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
      timer = setTimeout(() => reject(new PublishNotSent(`the MQTT broker did not acknowledge within ${opts.timeoutMs} ms; the message was withdrawn`)), opts.timeoutMs);
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

  /** QoS 0, fire and forget: dropped (not queued) while the broker is unreachable. */
  publishVolatile(topic: string, payload: Buffer): void {
    if (this.embedded) {
      this.broker.instance?.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, (e?: Error | null) => e && this.log.warn(`${topic}: ${e.message}`));
      return;
    }
    if (!this.cfg.mqttUrl) return;
    const client = this.controlClient();
    if (client.connected) client.publish(topic, payload, { qos: 0 });
  }

  /**
   * Ingest. Embedded: every gate publish (events, and status via an in-process subscription) goes to
   * `handler` and aedes acknowledges it once the handler resolves. External: a durable connection per
   * spec, QoS 1 messages acknowledged after the handler resolves, in arrival order.
   * `accept(topic)` false: acknowledged without handling (the sentinel's registered gates).
   */
  consume(spec: ConsumerSpec, handler: MqttHandler, accept: (topic: string) => boolean = () => true): Consumer {
    const client = this.connect(spec.clientId, spec.clean);
    this.consumers.push(client);
    const log = this.log;
    // Messages in arrival order; a PUBACK goes out when it and everything before it are handled.
    let pending: { messageId: number; done: boolean }[] = [];
    let generation = 0;
    const flush = (gen: number) => {
      if (gen !== generation) return;
      while (pending.length && pending[0]!.done) {
        const { messageId } = pending.shift()!;
        // Only on the connection the message came on: after a reconnect the broker sends it again
        // (same session), and a PUBACK from the old connection must not acknowledge it unhandled.
        if (client.connected) (client as unknown as { _sendPacket(p: object, cb: () => void, s: undefined, noStore: boolean): void })._sendPacket({ cmd: 'puback', messageId }, () => undefined, undefined, true);
      }
    };
    client.on('close', () => {
      generation++;
      pending = [];
    });
    client.handleMessage = (packet, callback) => {
      const topic = packet.topic;
      const run = accept(topic) && !this.refusedForSize(topic, packet.payload) ? Promise.resolve().then(() => handler(topic, toBuffer(packet.payload))) : Promise.resolve();
      if (packet.qos !== 1 || packet.messageId === undefined) {
        void run.catch((e: Error) => log.error(`ingest failed on ${topic}: ${e.message}`));
        return callback();
      }
      const slot = { messageId: packet.messageId, done: false };
      const gen = generation;
      pending.push(slot);
      void run
        .catch((e: Error) => log.error(`ingest failed on ${topic}: ${e.message}`))
        .finally(() => {
          slot.done = true;
          flush(gen);
        });
      callback(ACK_LATER);
    };
    const subscribed = new Promise<void>((resolve) => {
      client.on('connect', (ack) => {
        log.log(`${spec.clientId} up (session ${ack.sessionPresent ? 'resumed' : 'new'}, ${Object.keys(spec.subscriptions).length} subscription(s))`);
        client.subscribe(spec.subscriptions, (err) => {
          if (err) log.error(`subscribe failed: ${err.message}`);
          resolve();
        });
      });
    });
    return {
      clientId: spec.clientId,
      get connected() {
        return client.connected;
      },
      subscribed,
    };
  }

  /** Installs the embedded broker's ingest handler (gate events from its publish hook, gate status). */
  async consumeEmbedded(statusFilter: string, handler: MqttHandler): Promise<void> {
    await this.broker.setIngestHandler(handler, statusFilter);
  }

  /** Ends the ingest connections (unacknowledged messages stay with the broker). */
  async closeConsumers(): Promise<void> {
    await Promise.all(this.consumers.splice(0).map((c) => c.endAsync(false).catch(() => undefined)));
  }

  connected(): boolean {
    if (this.embedded || !this.cfg.mqttUrl) return true;
    return this.consumers.some((c) => c.connected);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.closeConsumers();
    // A graceful end waits for queued publishes; without a connection they would never go, so force it.
    await this.control?.endAsync(!this.control.connected).catch(() => undefined);
  }
}

function toBuffer(p: Buffer | string | Uint8Array): Buffer {
  return Buffer.isBuffer(p) ? p : Buffer.from(p);
}
