import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A user whose password an admin set (new user, reset) or the hub generated must choose their own at next sign-in. */
export class MustChangePassword1764950000000 implements MigrationInterface {
  name = 'MustChangePassword1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN must_change_password`);
  }
}
