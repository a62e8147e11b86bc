import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts that fold repeated sightings (count, last seen, gates, latest event, a sighting timeline), keep
 * the acknowledge and the closing note apart, and record an escalation; per-site grouping window,
 * escalation delay and webhook on the alert rule.
 */
export class AlertGrouping1764900000000 implements MigrationInterface {
  name = 'AlertGrouping1764900000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    const dbl = pg ? 'DOUBLE PRECISION' : 'REAL';
    for (const c of [
      'ack_note TEXT',
      'close_note TEXT',
      'sightings INTEGER NOT NULL DEFAULT 1',
      'last_seen_at BIGINT',
      'gates_json TEXT',
      'last_event_id VARCHAR(36)',
      'last_snapshot_ref VARCHAR(512)',
      'escalated_at BIGINT',
    ])
      await q.query(`ALTER TABLE alerts ADD COLUMN ${c}`);
    // The one note of before: the acknowledgement's while acknowledged, else the closing one.
    await q.query(`UPDATE alerts SET ack_note = note WHERE status = 'acknowledged'`);
    await q.query(`UPDATE alerts SET close_note = note WHERE status IN ('resolved', 'false_positive')`);
    await q.query(`CREATE INDEX alerts_site_entry ON alerts (site_id, entry_id, raised_at)`);
    await q.query(`CREATE INDEX alerts_status_sev ON alerts (status, severity, raised_at)`);
    await q.query(`CREATE TABLE alert_sightings (event_id VARCHAR(36) NOT NULL, entry_id VARCHAR(36) NOT NULL, alert_id VARCHAR(36) NOT NULL,
      gate_id VARCHAR(63) NOT NULL, lane_id VARCHAR(63), occurred_at BIGINT NOT NULL, match_kind VARCHAR(10), score ${dbl}, PRIMARY KEY (event_id, entry_id))`);
    await q.query(`CREATE INDEX alert_sightings_alert ON alert_sightings (alert_id, occurred_at)`);
    for (const c of [`group_window_minutes ${dbl}`, `escalate_after_minutes ${dbl}`, 'webhook_url VARCHAR(500)'])
      await q.query(`ALTER TABLE alert_rules ADD COLUMN ${c}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alert_sightings`);
    await q.query(`DROP INDEX alerts_site_entry`);
    await q.query(`DROP INDEX alerts_status_sev`);
    for (const c of [
      'ack_note',
      'close_note',
      'sightings',
      'last_seen_at',
      'gates_json',
      'last_event_id',
      'last_snapshot_ref',
      'escalated_at',
    ])
      await q.query(`ALTER TABLE alerts DROP COLUMN ${c}`);
    for (const c of ['group_window_minutes', 'escalate_after_minutes', 'webhook_url'])
      await q.query(`ALTER TABLE alert_rules DROP COLUMN ${c}`);
  }
}
