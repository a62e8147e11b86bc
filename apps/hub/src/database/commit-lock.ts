import { Injectable } from '@nestjs/common';

/**
 * Orders the ingest's commits against reads that rebuild in-memory state from what is committed.
 * Ingest stores a batch and emits `eventsCommitted` inside `run`; the tallies reload from the
 * database only inside `run`, so a reload never sees a batch that its listener then adds again.
 */
@Injectable()
export class CommitLock {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` with no other `run` in between. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
