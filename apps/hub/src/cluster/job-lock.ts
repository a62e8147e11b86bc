import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AdvisoryLockRepository } from './advisory-lock.repository.js';

/** A job name → a stable 63-bit advisory lock key. */
const lockKey = (name: string): string => createHash('sha256').update(`cg:job:${name}`).digest().readBigInt64BE(0).toString();

/**
 * Scheduled jobs (retention, key rotation, watchlist sync) run on one hub instance at a time: on
 * PostgreSQL each run holds a session advisory lock (`pg_try_advisory_lock`), and an instance that
 * does not get it skips that run; the lock goes with the connection if the instance dies. On SQLite
 * there is one hub per database file, so the job simply runs.
 */
@Injectable()
export class JobLock {
  private readonly log = new Logger('JobLock');

  constructor(private readonly locks: AdvisoryLockRepository) {}

  /**
   * Runs `fn` if no other instance is running the job `name`; returns undefined when skipped (logged,
   * unless `quiet`: for frequent jobs whose caller retries).
   */
  async runOnce<T>(name: string, fn: () => Promise<T>, opts: { quiet?: boolean } = {}): Promise<T | undefined> {
    if (!this.locks.available) return fn();
    const r = await this.locks.withLock(lockKey(name), fn);
    if (r.held) return r.value;
    if (!opts.quiet) this.log.log(`${name}: running on another hub instance, skipped here`);
    return undefined;
  }
}
