import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A site's settings as the administration screen edits them (zones, gates, capacity, live-camera and
 * retention rules), one JSON document per site: the sites file seeds it once, the database decides after.
 */
export class SiteSettings1765100000000 implements MigrationInterface {
  name = 'SiteSettings1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sites ADD COLUMN settings_json TEXT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sites DROP COLUMN settings_json`);
  }
}
