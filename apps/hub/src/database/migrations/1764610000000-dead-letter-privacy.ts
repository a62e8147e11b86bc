import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters hold what a gate sent, identity data included: the excerpt becomes a ciphertext bound to
 * the row's `ref`, and the HMACs of the CCCD numbers in it let person export and erase find the row.
 * Rows written before are encrypted by the hub at its next start (DeadLetterService).
 */
export class DeadLetterPrivacy1764610000000 implements MigrationInterface {
  name = 'DeadLetterPrivacy1764610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dead_letters ADD COLUMN ref VARCHAR(40)`);
    await q.query(`UPDATE dead_letters SET ref = 'legacy-' || CAST(id AS VARCHAR(20))`);
    await q.query(`ALTER TABLE dead_letters ADD COLUMN id_hmacs TEXT`);
    await q.query(`CREATE INDEX dead_letters_ref ON dead_letters (ref)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX dead_letters_ref`);
    await q.query(`ALTER TABLE dead_letters DROP COLUMN id_hmacs`);
    await q.query(`ALTER TABLE dead_letters DROP COLUMN ref`);
  }
}
