import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { placeholders } from '../database/sql-dialect.js';
import { execCount } from '../database/sql-exec.js';

/** One kind of row the retention purge removes or redacts once older than its cutoff. */
export interface RetentionTarget {
  table: string;
  pk: string;
  /** The condition, with one `?` for the cutoff (epoch ms). */
  where: string;
  /** Set: the row is redacted (these columns cleared) instead of deleted. */
  set?: string;
}

/** The retention purge's SQL: due rows deleted or redacted in batches. */
@Injectable()
export class RetentionRepository {
  constructor(private readonly db: DataSource) {}

  /** Deletes or redacts at most `limit` due rows; returns how many. */
  purgeBatch(t: RetentionTarget, cutoff: number, limit: number): Promise<number> {
    const p = placeholders(this.db);
    const action = t.set ? `UPDATE ${t.table} SET ${t.set}` : `DELETE FROM ${t.table}`;
    // The dialect helper numbers placeholders in order; there is exactly one (the cutoff).
    const due = `SELECT ${t.pk} FROM ${t.table} WHERE ${t.where.replace('?', p(1))} LIMIT ${limit}`;
    return execCount(this.db, `${action} WHERE ${t.pk} IN (${due})`, [cutoff]);
  }
}
