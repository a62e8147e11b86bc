import type { DataSource, EntityManager } from 'typeorm';
import { placeholders } from '../database/sql-dialect.js';
import { execCount } from '../database/sql-exec.js';

/** A column holding DataCipher ciphertexts, with what its rows' associated data is built from. */
export interface CipherColumnRef {
  table: string;
  pk: string;
  column: string;
  /** Column the associated data is built from (the row id, or the entry id of a template). */
  aadFrom: string;
}

export interface CipherCell {
  pk: string | number;
  aad_id: string;
  value: string;
}

/** Reads and rewrites ciphertext cells for key rotation (`hub:rotate-key`), on SQLite and PostgreSQL alike. */
export class CipherColumnsRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Up to `limit` non-null cells not under the key prefix `keyPrefix` (a LIKE pattern), after `after`, by primary key. */
  async notUnderKey(c: CipherColumnRef, keyPrefix: string, after: string | number | null, limit: number): Promise<CipherCell[]> {
    const p = placeholders(this.db);
    const params: unknown[] = [keyPrefix];
    let sql = `SELECT ${c.pk} AS pk, ${c.aadFrom} AS aad_id, ${c.column} AS value FROM ${c.table} WHERE ${c.column} IS NOT NULL AND ${c.column} NOT LIKE ${p(1)}`;
    if (after !== null) {
      sql += ` AND ${c.pk} > ${p(1)}`;
      params.push(after);
    }
    return this.db.query(`${sql} ORDER BY ${c.pk} LIMIT ${limit}`, params);
  }

  /**
   * Replaces a cell only if it still holds `was` (a hub writing meanwhile wins); with `hmac`, also
   * fills that column where it is empty. Returns the rows changed (0 or 1).
   */
  async replace(
    m: EntityManager,
    c: CipherColumnRef,
    pk: string | number,
    was: string,
    now: string,
    hmac?: { column: string; value: string | null },
  ): Promise<number> {
    const u = placeholders(this.db);
    const set = hmac ? `${c.column} = ${u(1)}, ${hmac.column} = COALESCE(${hmac.column}, ${u(1)})` : `${c.column} = ${u(1)}`;
    const params = hmac ? [now, hmac.value, pk, was] : [now, pk, was];
    return execCount(m, `UPDATE ${c.table} SET ${set} WHERE ${c.pk} = ${u(1)} AND ${c.column} = ${u(1)}`, params);
  }
}
