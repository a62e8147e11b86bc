import type { MqttClient } from 'mqtt';

/**
 * The edge's MQTT port: one gate's link to the broker, as every part of the edge uses it — the outbox
 * (QoS 1, PUBACK-driven; the durable buffering stays in the outbox), the lanes (live state, commands),
 * the status reporter, the watchlist sync, the camera's live view and media replies. No part of the
 * edge holds a raw mqtt.js client; `MqttGateLink` is the one implementation.
 */
export interface GateLink {
  readonly gateId: string;
  /** Whether the broker connection is up right now. */
  readonly connected: boolean;
  /** Live data (QoS 0): sent only while connected, never queued. False when it was dropped. */
  sendLive(topic: string, payload: string | Buffer): boolean;
  /** A QoS 1 publish (retained if asked); `done` once the broker acknowledged it, or with why not. */
  publish(topic: string, payload: string | Buffer, opts?: { retain?: boolean }, done?: (err?: Error) => void): void;
  publishAsync(topic: string, payload: string | Buffer, opts?: { retain?: boolean }): Promise<void>;
  /**
   * Subscribes now (if connected) and after every reconnect; messages on exactly `topic` go to
   * `onMessage`. `onSubscribed` hears each SUBACK (or its error). The returned function ends it: the
   * handler hears nothing more (the broker subscription stays while another handler has the topic).
   */
  subscribe(topic: string, qos: 0 | 1, onMessage: (payload: Buffer) => void, onSubscribed?: (err?: Error) => void): () => void;
  /** Every (re)connect; the returned function stops listening. */
  onConnect(fn: () => void): () => void;
  /** Every loss of the connection; the returned function stops listening. */
  onClose(fn: () => void): () => void;
  /** Where the link is connected (`host:port`), for logs and tests. */
  readonly broker: { host: string; port: number };
  /** Ends the connection (forced: a broker that no longer answers cannot hold a shutdown). */
  close(): Promise<void>;
}

/** A `GateLink` over one mqtt.js client (a gate's own connection, with its identity and last will). */
export class MqttGateLink implements GateLink {
  private readonly handlers = new Map<string, ((payload: Buffer) => void)[]>();

  constructor(
    readonly gateId: string,
    private readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload) => {
      for (const h of this.handlers.get(topic) ?? []) h(payload);
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  get broker(): { host: string; port: number } {
    const o = this.client.options;
    return { host: String(o.hostname ?? o.host), port: Number(o.port) };
  }

  sendLive(topic: string, payload: string | Buffer): boolean {
    if (!this.client.connected) return false;
    this.client.publish(topic, payload, { qos: 0 });
    return true;
  }

  publish(topic: string, payload: string | Buffer, opts: { retain?: boolean } = {}, done?: (err?: Error) => void): void {
    this.client.publish(topic, payload, { qos: 1, ...(opts.retain ? { retain: true } : {}) }, (err) => done?.(err ?? undefined));
  }

  async publishAsync(topic: string, payload: string | Buffer, opts: { retain?: boolean } = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, ...(opts.retain ? { retain: true } : {}) });
  }

  subscribe(
    topic: string,
    qos: 0 | 1,
    onMessage: (payload: Buffer) => void,
    onSubscribed: (err?: Error) => void = () => undefined,
  ): () => void {
    this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), onMessage]);
    const sub = () => this.client.subscribe(topic, { qos }, (err) => onSubscribed(err ?? undefined));
    this.client.on('connect', sub);
    if (this.client.connected) sub();
    return () => {
      this.client.off('connect', sub);
      const left = (this.handlers.get(topic) ?? []).filter((h) => h !== onMessage);
      if (left.length) this.handlers.set(topic, left);
      else {
        this.handlers.delete(topic);
        if (this.client.connected) this.client.unsubscribe(topic);
      }
    };
  }

  onConnect(fn: () => void): () => void {
    this.client.on('connect', fn);
    return () => void this.client.off('connect', fn);
  }

  onClose(fn: () => void): () => void {
    this.client.on('close', fn);
    return () => void this.client.off('close', fn);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => undefined);
  }
}
