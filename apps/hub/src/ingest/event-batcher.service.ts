import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { GateEvent } from '../../../../libs/contracts/src/index.js';
import { CommitLock } from '../database/commit-lock.js';
import { Clock } from '../time/clock.js';
import { EventsCommitted, HubEvents, IngestRetry } from '../domain-events/ingest-events.js';
import { EventStore, type IncomingEvent, type StoredBatch } from './event-store.service.js';

interface Pending extends IncomingEvent {
  done: () => void;
}

const MAX_BATCH = 1000;

/**
 * Groups events arriving together into one transaction. Each `submit` resolves only once its event
 * is committed (or found to be a duplicate), and the MQTT source acknowledges the message only then.
 * A database error is retried with backoff, never dropped: acknowledgements simply stop meanwhile.
 *
 * After each commit it emits `HubEvents.eventsCommitted` (with the new events and their crossings)
 * and knows nothing of who listens: the tallies, the live push, the alert checker and the metrics
 * subscribe to it (`@OnEvent`). The emit happens under the commit lock, so listeners see batches in
 * commit order and the tallies never reload between a commit and its addition.
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
    private readonly commits: CommitLock,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
  ) {}

  submit(event: GateEvent, receivedAt = this.clock.now()): Promise<void> {
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

  /** Never rejects and always ends with `running` false: whatever fails, the next submit drains again. */
  private async drain(): Promise<void> {
    try {
      await this.drainQueue();
    } catch (e) {
      this.log.error(`ingest drain: ${(e as Error).message}`);
    } finally {
      this.running = false;
      // Events that arrived while this drain was ending are not left waiting for the next one.
      if (this.queue.length && !this.closing) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    }
  }

  private async drainQueue(): Promise<void> {
    let delay = 50;
    while (this.queue.length > 0 && !this.closing) {
      const batch = this.queue.slice(0, MAX_BATCH);
      const t0 = performance.now();
      try {
        await this.commits.run(async () => {
          const stored = await this.store.storeBatch(batch);
          // Committed: whatever a listener does next cannot undo it, and its failure must not make
          // the batch be stored again (see `publish`).
          await this.publish(stored, batch.length, (performance.now() - t0) / 1000);
        });
      } catch (e) {
        if (this.closing) break;
        this.events.emit(HubEvents.ingestRetry, new IngestRetry(batch.length, e as Error, delay));
        this.log.error(`storing ${batch.length} events failed, retrying in ${delay} ms: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
        continue;
      }
      delay = 50;
      this.queue.splice(0, batch.length);
      for (const p of batch) p.done();
    }
  }

  /** Tells the listeners; a listener's failure is logged and never stops ingest. */
  private async publish({ fresh, crossings }: StoredBatch, received: number, seconds: number): Promise<void> {
    try {
      await this.events.emitAsync(HubEvents.eventsCommitted, new EventsCommitted(fresh, crossings, received, seconds));
    } catch (e) {
      this.log.warn(`a listener of a committed batch failed: ${(e as Error).message}`);
    }
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
