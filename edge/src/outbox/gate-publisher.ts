import type { MqttClient } from 'mqtt';
import type { OutboxStore } from './outbox.store.js';

/**
 * Drains one gate's share of the outbox through that gate's MQTT connection, oldest first, with at
 * most `maxInflight` messages awaiting PUBACK. A row is deleted only after its PUBACK; after a
 * reconnect everything still in the outbox is sent again (the hub drops the duplicates).
 */
export class GatePublisher {
  private inflight = new Set<number>();
  private cursor = 0;
  private epoch = 0;
  private acked: number[] = [];
  private pumping = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Called after acknowledged rows are deleted (for metrics and tests). */
  onDelivered: (count: number) => void = () => {};

  constructor(
    private readonly gateId: string,
    private readonly client: MqttClient,
    private readonly store: OutboxStore,
    private readonly maxInflight: number,
  ) {
    client.on('connect', () => {
      // A new session: whatever was in flight may never be acknowledged, so start over from the oldest row.
      this.epoch++;
      this.inflight.clear();
      this.cursor = 0;
      this.kick();
    });
  }

  kick(): void {
    if (!this.pumping && !this.stopped) {
      this.pumping = true;
      setImmediate(() => this.pump());
    }
  }

  private pump(): void {
    this.pumping = false;
    if (this.stopped || !this.client.connected) return;
    const room = this.maxInflight - this.inflight.size;
    if (room <= 0) return;
    const rows = this.store.next(this.gateId, this.cursor, room);
    const epoch = this.epoch;
    for (const row of rows) {
      this.inflight.add(row.seq);
      this.cursor = row.seq;
      this.client.publish(row.topic, row.payload, { qos: 1 }, (err) => this.settle(epoch, row.seq, err));
    }
  }

  private settle(epoch: number, seq: number, err: Error | undefined): void {
    if (!err) {
      this.acked.push(seq);
      this.scheduleFlush();
    }
    if (epoch !== this.epoch) return;
    this.inflight.delete(seq);
    if (err && seq <= this.cursor) this.cursor = Math.min(this.cursor, seq - 1);
    this.kick();
  }

  /** Deletes acknowledged rows in batches: one transaction per few milliseconds, not per message. */
  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), 5);
  }

  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.acked.length === 0) return;
    const done = this.acked;
    this.acked = [];
    this.store.remove(done);
    this.onDelivered(done.length);
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  stop(): void {
    this.stopped = true;
    this.flush();
  }
}
