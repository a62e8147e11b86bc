import type { DataSource } from 'typeorm';

/** Placeholders for hand-written SQL on the hot path: `$1…` on PostgreSQL, `?` on SQLite. */
export function placeholders(db: DataSource): (n: number) => string {
  if (db.options.type === 'postgres') {
    let i = 0;
    return (n) => Array.from({ length: n }, () => `$${++i}`).join(', ');
  }
  return (n) => Array.from({ length: n }, () => '?').join(', ');
}
