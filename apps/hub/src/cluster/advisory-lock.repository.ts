import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * PostgreSQL session advisory locks: held on one connection for the duration of `work`, gone with the
 * connection if the process dies. Absent on SQLite (one hub per database file).
 */
@Injectable()
export class AdvisoryLockRepository {
  constructor(private readonly db: DataSource) {}

  /** Whether the database has advisory locks (PostgreSQL). */
  get available(): boolean {
    return this.db.options.type === 'postgres';
  }

  /** Runs `work` holding the lock `key` (a 63-bit integer as text); `{ held: false }` when another session has it. */
  async withLock<T>(key: string, work: () => Promise<T>): Promise<{ held: true; value: T } | { held: false }> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      const [row] = (await qr.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key])) as { ok: boolean }[];
      if (!row?.ok) return { held: false };
      try {
        return { held: true, value: await work() };
      } finally {
        await qr.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      }
    } finally {
      await qr.release();
    }
  }
}
