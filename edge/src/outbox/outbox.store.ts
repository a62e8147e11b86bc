import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface OutboxRow {
  seq: number;
  eventId: string;
  topic: string;
  payload: Buffer;
}

/**
 * Durable queue of messages not yet acknowledged by the broker (SQLite, WAL). A row is written before
 * its first publish and deleted only after the broker's PUBACK, so a crash or an outage loses nothing;
 * a resend after a crash may duplicate, which the hub's dedupe by event id absorbs.
 */
export class OutboxStore {
  private readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly nextStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;
  private readonly countStmt: Database.Statement;

  constructor(path: string, synchronous: 'FULL' | 'NORMAL' = 'FULL') {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      event_id TEXT NOT NULL UNIQUE,
      gate_id TEXT NOT NULL,
      topic TEXT NOT NULL,
      payload BLOB NOT NULL,
      created_at INTEGER NOT NULL
    )`);
    this.db.exec('CREATE INDEX IF NOT EXISTS outbox_gate_seq ON outbox (gate_id, seq)');
    this.insertStmt = this.db.prepare(
      'INSERT INTO outbox (event_id, gate_id, topic, payload, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING',
    );
    this.nextStmt = this.db.prepare(
      'SELECT seq, event_id AS eventId, topic, payload FROM outbox WHERE gate_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.deleteStmt = this.db.prepare('DELETE FROM outbox WHERE seq = ?');
    this.countStmt = this.db.prepare('SELECT COUNT(*) AS n FROM outbox');
  }

  /** All rows in one transaction: one fsync for a burst. */
  append(rows: readonly { eventId: string; gateId: string; topic: string; payload: Buffer }[]): void {
    const now = Date.now();
    this.db.transaction(() => {
      for (const r of rows) this.insertStmt.run(r.eventId, r.gateId, r.topic, r.payload, now);
    })();
  }

  /** A gate's oldest rows after `afterSeq`. */
  next(gateId: string, afterSeq: number, limit: number): OutboxRow[] {
    return this.nextStmt.all(gateId, afterSeq, limit) as OutboxRow[];
  }

  remove(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    this.db.transaction(() => {
      for (const s of seqs) this.deleteStmt.run(s);
    })();
  }

  depth(): number {
    return (this.countStmt.get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
