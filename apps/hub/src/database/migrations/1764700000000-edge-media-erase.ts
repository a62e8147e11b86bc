import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Person-erase orders to the edges (delete these face crops), sent until each edge acknowledges. */
export class EdgeMediaErase1764700000000 implements MigrationInterface {
  name = 'EdgeMediaErase1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE edge_media_erase (request_id VARCHAR(36) NOT NULL PRIMARY KEY, subject VARCHAR(64) NOT NULL,
      site_id VARCHAR(63) NOT NULL, gate_id VARCHAR(63) NOT NULL, refs TEXT NOT NULL, crop_count INTEGER NOT NULL, created_at BIGINT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, last_sent_at BIGINT, acked_at BIGINT, deleted INTEGER, missing INTEGER)`);
    await q.query(`CREATE INDEX edge_media_erase_pending ON edge_media_erase (acked_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX edge_media_erase_pending`);
    await q.query(`DROP TABLE edge_media_erase`);
  }
}
