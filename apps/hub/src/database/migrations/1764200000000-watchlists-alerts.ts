import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Watchlists (entries, encrypted face templates, per-site sync sequence), alerts and alert rules, and
 * the CCCD-number HMAC column on events (their identity block is stored encrypted from now on).
 */
export class WatchlistsAlerts1764200000000 implements MigrationInterface {
  name = 'WatchlistsAlerts1764200000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    const serial = pg ? 'SERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
    const double = pg ? 'DOUBLE PRECISION' : 'REAL';
    await q.query(`CREATE TABLE watchlist_entries (id VARCHAR(36) PRIMARY KEY, site_id VARCHAR(63) NOT NULL, list_kind VARCHAR(10) NOT NULL,
      full_name_enc TEXT NOT NULL, id_number_hmac VARCHAR(64), id_number_enc TEXT, reason VARCHAR(500) NOT NULL, severity VARCHAR(8) NOT NULL,
      source VARCHAR(100) NOT NULL, valid_from BIGINT, valid_until BIGINT, created_at BIGINT NOT NULL, created_by VARCHAR(140) NOT NULL,
      updated_at BIGINT NOT NULL, updated_by VARCHAR(140) NOT NULL)`);
    await q.query(`CREATE INDEX watchlist_entries_site ON watchlist_entries (site_id, list_kind)`);
    await q.query(`CREATE INDEX watchlist_entries_id_hmac ON watchlist_entries (id_number_hmac)`);
    await q.query(`CREATE TABLE watchlist_templates (id ${serial}, entry_id VARCHAR(36) NOT NULL, face_model VARCHAR(64) NOT NULL,
      dims INTEGER NOT NULL, template_enc TEXT NOT NULL, crop_enc TEXT, created_at BIGINT NOT NULL)`);
    await q.query(`CREATE INDEX watchlist_templates_entry ON watchlist_templates (entry_id)`);
    await q.query(`CREATE TABLE watchlist_sync (site_id VARCHAR(63) PRIMARY KEY, seq BIGINT NOT NULL)`);
    await q.query(`CREATE TABLE alerts (id VARCHAR(36) PRIMARY KEY, site_id VARCHAR(63) NOT NULL, zone_id VARCHAR(63) NOT NULL,
      gate_id VARCHAR(63) NOT NULL, lane_id VARCHAR(63), event_id VARCHAR(36) NOT NULL, entry_id VARCHAR(36) NOT NULL,
      list_kind VARCHAR(10) NOT NULL, severity VARCHAR(8) NOT NULL, match_kind VARCHAR(10) NOT NULL, score ${double} NOT NULL,
      full_name_enc TEXT NOT NULL, reason VARCHAR(500) NOT NULL, id_number_hmac VARCHAR(64), snapshot_ref VARCHAR(512),
      occurred_at BIGINT NOT NULL, raised_at BIGINT NOT NULL, status VARCHAR(16) NOT NULL, acknowledged_by VARCHAR(140),
      acknowledged_at BIGINT, closed_by VARCHAR(140), closed_at BIGINT, note TEXT)`);
    await q.query(`CREATE UNIQUE INDEX alerts_event_entry ON alerts (event_id, entry_id)`);
    await q.query(`CREATE INDEX alerts_site_time ON alerts (site_id, raised_at)`);
    await q.query(`CREATE INDEX alerts_id_hmac ON alerts (id_number_hmac)`);
    await q.query(
      `CREATE TABLE alert_rules (site_id VARCHAR(63) PRIMARY KEY, min_severity VARCHAR(8) NOT NULL, notify_roles TEXT NOT NULL)`,
    );
    await q.query(`ALTER TABLE gate_events ADD COLUMN id_number_hmac VARCHAR(64)`);
    await q.query(`CREATE INDEX gate_events_id_hmac ON gate_events (id_number_hmac)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX gate_events_id_hmac`);
    await q.query(`ALTER TABLE gate_events DROP COLUMN id_number_hmac`);
    for (const t of ['alert_rules', 'alerts', 'watchlist_sync', 'watchlist_templates', 'watchlist_entries'])
      await q.query(`DROP TABLE ${t}`);
  }
}
