import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MAX_COMMAND_LIFETIME_MS, type GateCommand } from '../../../libs/contracts/src/index.js';

/** Why a command was refused; the lanes show it as a reason in their state. */
export type CommandRefusal = 'command_expired' | 'command_replayed' | 'command_lifetime_too_long';

/**
 * Refuses gate commands that are stale or seen before. Each command id is remembered until its
 * expiry (in SQLite when given a path, so a restarted agent still refuses a replay), so a command
 * captured on the wire or delayed by a broker outage can never open a lane a second time or late.
 * The edge's clock must agree with the hub's (NTP): a command is refused once `expiresAt` has passed.
 */
export class CommandGuard {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, number]>;
  private admitted = 0;

  constructor(
    path: string,
    private readonly now: () => number = Date.now,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS seen_commands (command_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)');
    this.insert = this.db.prepare('INSERT INTO seen_commands (command_id, expires_at) VALUES (?, ?) ON CONFLICT(command_id) DO NOTHING');
    this.purge();
  }

  /** Accepts a command once, while it is valid; records it before the lanes act on it. */
  admit(cmd: GateCommand): CommandRefusal | null {
    const now = this.now();
    const expires = Date.parse(cmd.expiresAt);
    const issued = Date.parse(cmd.issuedAt);
    if (!(expires > now)) return 'command_expired';
    if (expires - issued > MAX_COMMAND_LIFETIME_MS || expires - now > MAX_COMMAND_LIFETIME_MS) return 'command_lifetime_too_long';
    if (this.insert.run(cmd.commandId, expires).changes === 0) return 'command_replayed';
    if (++this.admitted % 100 === 0) this.purge();
    return null;
  }

  /** Ids past their expiry can go: such a command is refused as expired anyway. */
  private purge(): void {
    this.db.prepare('DELETE FROM seen_commands WHERE expires_at < ?').run(this.now() - 60_000);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
