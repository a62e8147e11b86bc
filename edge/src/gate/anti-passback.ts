import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Who is inside each anti-passback zone: an entry is refused while the same person (ID-number HMAC
 * or allowlist entry) is recorded inside; an exit clears it. Entries expire after `ttlMs`, since
 * people also leave through doors without readers. With a `path` the state is kept in SQLite, so an
 * agent restart (or a power cut) does not let everyone inside enter a second time.
 */
export class AntiPassback {
  private readonly inside = new Map<string, number>();
  private readonly db: Database.Database | null = null;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    path?: string,
  ) {
    if (!path) return;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS inside (key TEXT PRIMARY KEY, at INTEGER NOT NULL)');
    this.db.prepare('DELETE FROM inside WHERE at < ?').run(this.now() - this.ttlMs);
    for (const r of this.db.prepare('SELECT key, at FROM inside').all() as { key: string; at: number }[]) this.inside.set(r.key, r.at);
  }

  private key(zoneId: string, person: string): string {
    return `${zoneId}\u0000${person}`;
  }

  isInside(zoneId: string, person: string): boolean {
    const at = this.inside.get(this.key(zoneId, person));
    if (at === undefined) return false;
    if (this.now() - at > this.ttlMs) {
      this.exited(zoneId, person);
      return false;
    }
    return true;
  }

  entered(zoneId: string, person: string): void {
    const k = this.key(zoneId, person);
    const at = this.now();
    this.inside.set(k, at);
    this.db?.prepare('INSERT INTO inside (key, at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET at = excluded.at').run(k, at);
  }

  exited(zoneId: string, person: string): void {
    const k = this.key(zoneId, person);
    this.inside.delete(k);
    this.db?.prepare('DELETE FROM inside WHERE key = ?').run(k);
  }

  close(): void {
    if (this.db?.open) this.db.close();
  }
}
