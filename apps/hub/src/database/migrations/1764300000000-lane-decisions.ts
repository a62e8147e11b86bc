import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lane decisions on gate events: the decision block as JSON and its outcome in a column of its own,
 * so refused attempts can be listed (and left out of headcounts) without parsing JSON.
 */
export class LaneDecisions1764300000000 implements MigrationInterface {
  name = 'LaneDecisions1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    await q.query(`ALTER TABLE gate_events ADD COLUMN decision_json ${pg ? 'JSONB' : 'TEXT'}`);
    await q.query(`ALTER TABLE gate_events ADD COLUMN decision_outcome VARCHAR(8)`);
    await q.query(`CREATE INDEX gate_events_decision ON gate_events (site_id, decision_outcome, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX gate_events_decision`);
    await q.query(`ALTER TABLE gate_events DROP COLUMN decision_outcome`);
    await q.query(`ALTER TABLE gate_events DROP COLUMN decision_json`);
  }
}
