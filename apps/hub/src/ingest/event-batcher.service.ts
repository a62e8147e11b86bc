import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { GateEvent } from '../../../../libs/contracts/src/index.js';
import { HeadcountService } from '../counts/headcount.service.js';
import { AlertChecker } from '../alerts/alert-checker.service.js';
import { MetricsService } from '../observability/metrics.service.js';
import { LiveGateway } from '../realtime/live.gateway.js';
import { EventStore, type IncomingEvent } from './event-store.service.js';

interface Pending extends IncomingEvent {
  done: () => void;
}

const MAX_BATCH = 1000;

/**
 * Groups events arriving together into one transaction. Each `submit` resolves only once its event
 * is committed (or found to be a duplicate), and the MQTT source acknowledges the message only then.
 * A database error is retried with backoff, never dropped: acknowledgements simply stop meanwhile.
 */
@Injectable()
export class EventBatcher implements BeforeApplicationShutdown {
  private readonly log = new Logger('Ingest');
  private queue: Pending[] = [];
  private running = false;
  private closing = false;
  /** Resolves when the drain loop in progress, if any, has stopped. */
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly headcounts: HeadcountService,
    private readonly live: LiveGateway,
    private readonly metrics: MetricsService,
    private readonly alerts: AlertChecker,
  ) {}

  submit(event: GateEvent, receivedAt = Date.now()): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ event, receivedAt, done });
      // While shutting down nothing new is stored: the event stays unacknowledged and the broker
      // delivers it again after the restart.
      if (!this.running && !this.closing) {
        this.running = true;
        this.idle = new Promise<void>((r) => setImmediate(() => void this.drain().finally(r)));
      }
    });
  }

  private async drain(): Promise<void> {
    let delay = 50;
    while (this.queue.length > 0 && !this.closing) {
      const batch = this.queue.slice(0, MAX_BATCH);
      const t0 = performance.now();
      let fresh: GateEvent[];
      let touched: Set<string>;
      try {
        [fresh, touched] = await this.headcounts.exclusive(async () => {
          const stored = await this.store.storeBatch(batch);
          return [stored, await this.headcounts.apply(stored)] as const;
        });
      } catch (e) {
        if (this.closing) break;
        this.metrics.storeRetries.inc();
        this.log.error(`storing ${batch.length} events failed, retrying in ${delay} ms: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
        continue;
      }
      delay = 50;
      this.queue.splice(0, batch.length);
      this.metrics.batchSeconds.observe((performance.now() - t0) / 1000);
      this.metrics.batchSize.observe(batch.length);
      this.metrics.ingested.inc({ result: 'stored' }, fresh.length);
      this.metrics.ingested.inc({ result: 'duplicate' }, batch.length - fresh.length);
      for (const p of batch) p.done();
      // Watchlist check off the hot path: only newly stored events, queued, never awaited here.
      if (fresh.length) this.alerts.enqueue(fresh);
      if (fresh.length) await this.live.publishBatch(fresh, touched);
    }
    this.running = false;
  }

  get backlog(): number {
    return this.queue.length;
  }

  /**
   * Before the database closes (TypeORM's own shutdown hook comes after every `before…` hook): no new
   * batch starts, and the one being committed finishes, so its events are acknowledged or not at all.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.idle;
  }
}
