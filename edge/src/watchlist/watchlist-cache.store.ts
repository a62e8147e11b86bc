import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WatchlistEdgeEntry } from '../../../libs/contracts/src/index.js';

/**
 * The gate's copy of its site's watchlist (SQLite), so checks go on while the hub is unreachable and
 * after a restart. Holds only what the hub sends edges: HMACs and templates, never names.
 */
export class WatchlistCacheStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS entries (entry_id TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
  }

  /** -1 when nothing has been received yet. */
  seq(): number {
    const r = this.db.prepare(`SELECT value FROM meta WHERE key = 'seq'`).get() as { value: string } | undefined;
    return r ? Number(r.value) : -1;
  }

  all(): WatchlistEdgeEntry[] {
    return (this.db.prepare(`SELECT json FROM entries`).all() as { json: string }[]).map((r) => JSON.parse(r.json) as WatchlistEdgeEntry);
  }

  /** One delta, atomically with its sequence number. */
  apply(seq: number, upserts: readonly WatchlistEdgeEntry[], removes: readonly string[], replaceAll = false): void {
    const up = this.db.prepare(
      `INSERT INTO entries (entry_id, json) VALUES (?, ?) ON CONFLICT (entry_id) DO UPDATE SET json = excluded.json`,
    );
    const del = this.db.prepare(`DELETE FROM entries WHERE entry_id = ?`);
    this.db.transaction(() => {
      if (replaceAll) this.db.exec(`DELETE FROM entries`);
      for (const id of removes) del.run(id);
      for (const e of upserts) up.run(e.entryId, JSON.stringify(e));
      this.db
        .prepare(`INSERT INTO meta (key, value) VALUES ('seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
        .run(String(seq));
    })();
  }

  close(): void {
    this.db.close();
  }
}
