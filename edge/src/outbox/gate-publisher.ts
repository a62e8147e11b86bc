import type { GateLink } from '../mqtt/gate-link.js';
import type { OutboxStore } from './outbox.store.js';

/**
 * Drains one gate's share of the outbox through that gate's MQTT connection, oldest first, with at
 * most `maxInflight` messages awaiting PUBACK. A row is deleted only after its PUBACK; after a
 * reconnect everything still in the outbox is sent again (the hub drops the duplicates).
 *
 * Shutdown has two steps, both driven by the edge's one shutdown sequence: `quiesce` stops new
 * publishes and waits (bounded) for the PUBACKs already owed; `close` deletes what was acknowledged and
 * detaches, after which no callback, timer or late PUBACK touches the store. A PUBACK that arrives
 * after `close` is ignored: its row stays and is resent at the next start (the hub drops the duplicate).
 */
export class GatePublisher {
  private inflight = new Set<number>();
  private cursor = 0;
  private epoch = 0;
  private acked: number[] = [];
  private pumping = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private quiescing = false;
  private closed = false;
  private drained: (() => void) | null = null;
  private readonly stopListening: () => void;
  private readonly onConnect = () => {
    // A new session: whatever was in flight may never be acknowledged, so start over from the oldest row.
    this.epoch++;
    this.inflight.clear();
    this.cursor = 0;
    this.kick();
  };
  /** Called after acknowledged rows are deleted (for metrics and tests). */
  onDelivered: (count: number) => void = () => {};

  constructor(
    private readonly gateId: string,
    private readonly link: GateLink,
    private readonly store: OutboxStore,
    private readonly maxInflight: number,
  ) {
    this.stopListening = link.onConnect(this.onConnect);
  }

  kick(): void {
    if (!this.pumping && !this.quiescing) {
      this.pumping = true;
      setImmediate(() => this.pump());
    }
  }

  private pump(): void {
    this.pumping = false;
    if (this.quiescing || !this.link.connected) return;
    const room = this.maxInflight - this.inflight.size;
    if (room <= 0) return;
    const rows = this.store.next(this.gateId, this.cursor, room);
    const epoch = this.epoch;
    for (const row of rows) {
      this.inflight.add(row.seq);
      this.cursor = row.seq;
      this.link.publish(row.topic, row.payload, {}, (err) => this.settle(epoch, row.seq, err));
    }
  }

  private settle(epoch: number, seq: number, err: Error | undefined): void {
    if (this.closed) return;
    if (!err) {
      this.acked.push(seq);
      this.scheduleFlush();
    }
    if (epoch !== this.epoch) return;
    this.inflight.delete(seq);
    if (err && seq <= this.cursor) this.cursor = Math.min(this.cursor, seq - 1);
    if (this.quiescing) {
      if (this.inflight.size === 0) this.drained?.();
    } else this.kick();
  }

  /** Deletes acknowledged rows in batches: one transaction per few milliseconds, not per message. */
  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => this.flush(), 5);
  }

  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.closed || this.acked.length === 0) return;
    const done = this.acked;
    this.acked = [];
    this.store.remove(done);
    this.onDelivered(done.length);
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /**
   * No new publishes from now on; resolves when every PUBACK owed has come (or failed), when the
   * connection is down (nothing more can come), or after `maxWaitMs`, whichever is first.
   */
  async quiesce(maxWaitMs: number): Promise<void> {
    this.quiescing = true;
    if (this.inflight.size === 0 || !this.link.connected) return;
    let timer: NodeJS.Timeout | undefined;
    let stopClose: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      timer = setTimeout(resolve, maxWaitMs);
      stopClose = this.link.onClose(resolve);
    });
    clearTimeout(timer);
    stopClose?.();
    this.drained = null;
  }

  /** Deletes what was acknowledged and detaches from the store: nothing here touches it afterwards. */
  close(): void {
    this.quiescing = true;
    this.flush();
    this.closed = true;
    this.stopListening();
  }
}
