import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';

/**
 * Runs an UPDATE/DELETE and returns how many rows it touched, the same on SQLite and PostgreSQL
 * (`query()` alone returns driver-specific shapes). Inside a transaction pass its manager.
 */
export async function execCount(db: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<number> {
  const inTx = db instanceof DataSource ? undefined : db.queryRunner;
  const qr: QueryRunner = inTx ?? (db instanceof DataSource ? db : db.connection).createQueryRunner();
  try {
    return (await qr.query(sql, params, true)).affected ?? 0;
  } finally {
    if (!inTx) await qr.release();
  }
}
