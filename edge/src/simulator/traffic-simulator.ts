import type { GateEvent } from '../../../libs/contracts/src/index.js';
import type { EdgeConfig } from '../config/edge-config.schema.js';
import { newEventId } from '../outbox/event-id.js';
import type { OutboxService } from '../outbox/outbox.service.js';

export interface SimulatorOptions {
  /** Events per second across all gates. */
  rate: number;
  /** Stop after this many events (0: run until stopped). */
  limit?: number;
  /** Share of entries; the rest are exits. Slightly above 0.5 so occupancy builds up in a demo. */
  entryShare?: number;
}

/**
 * Synthetic traffic for demos and load tests. It is a producer like any other: its events go through
 * `OutboxService.enqueueMany`, the same durable path as camera and card events.
 */
export class TrafficSimulator {
  private timer: NodeJS.Timeout | null = null;
  produced = 0;
  /** Why it stopped by itself: the outbox refused events (closed at shutdown, or broken). */
  failure: Error | undefined;

  constructor(
    private readonly cfg: EdgeConfig,
    private readonly outbox: OutboxService,
    private readonly opts: SimulatorOptions,
  ) {}

  start(): void {
    const tickMs = this.opts.rate >= 50 ? 20 : Math.max(20, Math.round(1000 / this.opts.rate));
    let owed = 0;
    let last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      owed += ((now - last) / 1000) * this.opts.rate;
      last = now;
      let n = Math.floor(owed);
      if (this.opts.limit) n = Math.min(n, this.opts.limit - this.produced);
      if (n <= 0) {
        if (this.opts.limit && this.produced >= this.opts.limit) this.stop();
        return;
      }
      owed -= n;
      const batch: GateEvent[] = [];
      for (let i = 0; i < n; i++) batch.push(this.makeEvent());
      try {
        this.outbox.enqueueMany(batch);
      } catch (e) {
        // The outbox is closed (the agent, or a test, shut down) or broken: a producer with nowhere to
        // put events stops, instead of throwing from its timer every tick and keeping the process alive.
        this.failure = e as Error;
        this.stop();
        return;
      }
      this.produced += n;
    }, tickMs);
  }

  makeEvent(): GateEvent {
    const gate = this.cfg.gates[Math.floor(Math.random() * this.cfg.gates.length)]!;
    return {
      eventId: newEventId(),
      siteId: this.cfg.site.id,
      zoneId: gate.zone,
      gateId: gate.id,
      direction: Math.random() < (this.opts.entryShare ?? 0.55) ? 'entry' : 'exit',
      source: 'camera',
      occurredAt: new Date().toISOString(),
      trackId: `sim-${this.produced}`,
    };
  }

  get done(): boolean {
    return !!this.opts.limit && this.produced >= this.opts.limit;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
