import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = `id, site_id, zone_id, gate_id, lane_id, event_id, entry_id, list_kind, severity, match_kind, score, full_name_enc, reason,
  id_number_hmac, snapshot_ref, occurred_at, raised_at, status, acknowledged_by, acknowledged_at, closed_by, closed_at, note`;

/**
 * Alerts of a second kind: a door forced or held open at a lane. Such an alert has no watchlist entry,
 * match or name, so those columns become nullable (SQLite cannot drop NOT NULL: the table is rebuilt).
 */
export class DoorAlarmAlerts1764350000000 implements MigrationInterface {
  name = 'DoorAlarmAlerts1764350000000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') {
      await q.query(`ALTER TABLE alerts ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'watchlist'`);
      for (const c of ['entry_id', 'list_kind', 'match_kind', 'score', 'full_name_enc'])
        await q.query(`ALTER TABLE alerts ALTER COLUMN ${c} DROP NOT NULL`);
      return;
    }
    await q.query(`CREATE TABLE alerts_new (id VARCHAR(36) PRIMARY KEY, kind VARCHAR(16) NOT NULL DEFAULT 'watchlist', site_id VARCHAR(63) NOT NULL,
      zone_id VARCHAR(63) NOT NULL, gate_id VARCHAR(63) NOT NULL, lane_id VARCHAR(63), event_id VARCHAR(36) NOT NULL, entry_id VARCHAR(36),
      list_kind VARCHAR(10), severity VARCHAR(8) NOT NULL, match_kind VARCHAR(10), score REAL, full_name_enc TEXT, reason VARCHAR(500) NOT NULL,
      id_number_hmac VARCHAR(64), snapshot_ref VARCHAR(512), occurred_at BIGINT NOT NULL, raised_at BIGINT NOT NULL, status VARCHAR(16) NOT NULL,
      acknowledged_by VARCHAR(140), acknowledged_at BIGINT, closed_by VARCHAR(140), closed_at BIGINT, note TEXT)`);
    await q.query(`INSERT INTO alerts_new (${COLUMNS}) SELECT ${COLUMNS} FROM alerts`);
    await q.query(`DROP TABLE alerts`);
    await q.query(`ALTER TABLE alerts_new RENAME TO alerts`);
    await q.query(`CREATE UNIQUE INDEX alerts_event_entry ON alerts (event_id, entry_id)`);
    await q.query(`CREATE INDEX alerts_site_time ON alerts (site_id, raised_at)`);
    await q.query(`CREATE INDEX alerts_id_hmac ON alerts (id_number_hmac)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM alerts WHERE kind <> 'watchlist'`);
    await q.query(`ALTER TABLE alerts DROP COLUMN kind`);
  }
}
