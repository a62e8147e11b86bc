import type { Oversize } from './payload-limits.js';

/** A message for the hub: resolve once it is handled (for ingest: committed); only then is it acknowledged. */
export type MqttHandler = (topic: string, payload: Buffer) => Promise<void> | void;

/** The broker did not take a publish (unreachable, or no PUBACK in time); it will not go out later. */
export class PublishNotSent extends Error {}

export interface ConsumerSpec {
  /** The broker session's client id. */
  clientId: string;
  /** false: a persistent session, the broker queues (and redelivers) what is not acknowledged. */
  clean: boolean;
  subscriptions: Record<string, { qos: 0 | 1 }>;
  /** false for a topic: acknowledged without handling (the sentinel's registered gates). */
  accept?: (topic: string) => boolean;
}

/**
 * What the ingest transport asks of the broker layer. An external broker opens `sessions`; the
 * embedded broker is itself where gates publish, so it takes every gate event from its publish hook
 * and the status messages matching `statusFilter`, and has no sessions.
 */
export interface IngestPlan {
  sessions: ConsumerSpec[];
  statusFilter: string;
}

/**
 * The hub's one MQTT port (Frigate's communicator shape): one interface, one implementation per kind
 * of broker, chosen once at start (broker/hub-mqtt.provider.ts) — EmbeddedMqtt (aedes in-process,
 * MQTT_URL unset) or ExternalMqtt (Mosquitto, NATS, RabbitMQ, EMQX through mqtt.js). Gate control,
 * watchlist sync, edge media, the ingest transport, health, gate credentials and the app bootstrap
 * use only this:
 *
 * - `publish` — QoS 1, resolves on the broker's PUBACK. With `timeoutMs` it fails at once when the
 *   broker is unreachable and withdraws the message when no PUBACK comes in time (gate commands:
 *   an "open" must never go out late); without, it waits for the broker (watchlist deltas).
 * - `subscribe` — control traffic (lane states, resync requests) on a clean session.
 * - `openIngest` — ingest: messages acknowledged only once the handler's promise resolves (after the
 *   commit), while the next are already read, so the batcher sees many at once.
 */
export abstract class HubMqtt {
  /** Where oversized messages from an external broker go (dead letters; set by PayloadLimitWiring). The embedded broker's size guard reports through EmbeddedBroker.onOversize. */
  onOversize: ((o: Oversize, from: string) => void) | null = null;

  /** Which implementation was chosen at start. */
  abstract readonly mode: 'embedded' | 'external';

  /** The embedded broker's listening port; 0 on an external broker. */
  abstract readonly brokerPort: number;

  /** Control traffic: the handler's outcome does not delay the acknowledgement. */
  abstract subscribe(filter: string, qos: 0 | 1, handler: MqttHandler): Promise<void>;

  /** QoS 1 publish; see the class comment for `timeoutMs`. */
  abstract publish(topic: string, payload: Buffer, opts?: { timeoutMs?: number }): Promise<void>;

  /** QoS 0, fire and forget: dropped (not queued) while the broker is unreachable. */
  abstract publishVolatile(topic: string, payload: Buffer): void;

  /** Starts ingest; resolves when messages can be received (or the start failed for good: rejects). */
  abstract openIngest(plan: IngestPlan, handler: MqttHandler): Promise<void>;

  /** The broker sessions ingest holds (tests remove them from a shared broker afterwards). */
  abstract ingestSessionIds(): string[];

  /** Ends ingest (unacknowledged messages stay with the broker). */
  abstract closeIngest(): Promise<void>;

  /** Whether ingest can receive (for /health). */
  abstract connected(): boolean;

  /** Closes the connections logged in as this username (its credentials were revoked or rotated). */
  abstract disconnectLogin(username: string): void;
}
