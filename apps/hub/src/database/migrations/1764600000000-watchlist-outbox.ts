import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Watchlist changes are published from an outbox written with the change and its sequence number. */
export class WatchlistOutbox1764600000000 implements MigrationInterface {
  name = 'WatchlistOutbox1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE watchlist_outbox (site_id VARCHAR(63) NOT NULL, seq BIGINT NOT NULL, upserts TEXT NOT NULL, removes TEXT NOT NULL,
      created_at BIGINT NOT NULL, PRIMARY KEY (site_id, seq))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE watchlist_outbox`);
  }
}
