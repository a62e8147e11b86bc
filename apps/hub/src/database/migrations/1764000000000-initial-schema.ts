import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sites, gates, events, minute counts and dead letters. One migration for both engines: the SQL is
 * the same but for the auto-increment key and the boolean type.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    const serial = pg ? 'SERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
    const bool = pg ? 'BOOLEAN' : 'BOOLEAN';
    await q.query(`CREATE TABLE sites (id VARCHAR(63) PRIMARY KEY, name VARCHAR(200) NOT NULL, kind VARCHAR(16) NOT NULL)`);
    await q.query(
      `CREATE TABLE zones (site_id VARCHAR(63) NOT NULL, id VARCHAR(63) NOT NULL, name VARCHAR(200) NOT NULL, PRIMARY KEY (site_id, id))`,
    );
    await q.query(`CREATE TABLE gates (site_id VARCHAR(63) NOT NULL, id VARCHAR(63) NOT NULL, zone_id VARCHAR(63) NOT NULL,
      name VARCHAR(200) NOT NULL, online ${bool} NOT NULL DEFAULT false, status_at BIGINT, status_json TEXT, PRIMARY KEY (site_id, id))`);
    await q.query(`CREATE TABLE gate_events (event_id VARCHAR(36) PRIMARY KEY, site_id VARCHAR(63) NOT NULL, zone_id VARCHAR(63) NOT NULL,
      gate_id VARCHAR(63) NOT NULL, lane_id VARCHAR(63), direction VARCHAR(5) NOT NULL, source VARCHAR(8) NOT NULL,
      occurred_at BIGINT NOT NULL, received_at BIGINT NOT NULL, track_id VARCHAR(64), identity_json TEXT, attachments_json TEXT)`);
    await q.query(`CREATE INDEX gate_events_site_time ON gate_events (site_id, occurred_at)`);
    await q.query(`CREATE INDEX gate_events_gate_time ON gate_events (gate_id, occurred_at)`);
    await q.query(`CREATE TABLE count_minutes (site_id VARCHAR(63) NOT NULL, gate_id VARCHAR(63) NOT NULL, minute BIGINT NOT NULL,
      zone_id VARCHAR(63) NOT NULL, entries INTEGER NOT NULL DEFAULT 0, exits INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (site_id, gate_id, minute))`);
    await q.query(`CREATE INDEX count_minutes_site_minute ON count_minutes (site_id, minute)`);
    await q.query(`CREATE TABLE dead_letters (id ${serial}, received_at BIGINT NOT NULL, topic VARCHAR(512) NOT NULL, reason VARCHAR(32) NOT NULL,
      detail TEXT NOT NULL, payload_bytes INTEGER NOT NULL, payload_excerpt TEXT NOT NULL)`);
    await q.query(`CREATE INDEX dead_letters_time ON dead_letters (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['dead_letters', 'count_minutes', 'gate_events', 'gates', 'zones', 'sites']) await q.query(`DROP TABLE ${t}`);
  }
}
