import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, refresh tokens, IOC API keys, MQTT credentials and the audit log. */
export class AuthAndAudit1764100000000 implements MigrationInterface {
  name = 'AuthAndAudit1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    const serial = pg ? 'SERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
    await q.query(`CREATE TABLE users (id ${serial}, username VARCHAR(63) NOT NULL UNIQUE, password_hash VARCHAR(255) NOT NULL,
      role VARCHAR(16) NOT NULL, site_ids TEXT NOT NULL, disabled BOOLEAN NOT NULL DEFAULT false, failed_logins INTEGER NOT NULL DEFAULT 0,
      locked_until BIGINT, created_at BIGINT NOT NULL, last_login_at BIGINT)`);
    await q.query(`CREATE TABLE refresh_tokens (id VARCHAR(36) PRIMARY KEY, user_id INTEGER NOT NULL, family_id VARCHAR(36) NOT NULL,
      token_hash VARCHAR(64) NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT)`);
    await q.query(`CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id)`);
    await q.query(`CREATE TABLE api_keys (id ${serial}, name VARCHAR(100) NOT NULL, key_hash VARCHAR(64) NOT NULL UNIQUE, site_ids TEXT NOT NULL,
      created_at BIGINT NOT NULL, revoked_at BIGINT, last_used_at BIGINT)`);
    await q.query(`CREATE TABLE mqtt_credentials (username VARCHAR(140) PRIMARY KEY, kind VARCHAR(8) NOT NULL, site_id VARCHAR(63),
      gate_id VARCHAR(63), password_hash VARCHAR(255) NOT NULL, created_at BIGINT NOT NULL)`);
    await q.query(`CREATE TABLE audit_log (id ${serial}, at BIGINT NOT NULL, actor VARCHAR(140) NOT NULL, action VARCHAR(64) NOT NULL,
      subject_type VARCHAR(64) NOT NULL, subject_id VARCHAR(200), site_id VARCHAR(63), detail_json TEXT)`);
    await q.query(`CREATE INDEX audit_log_time ON audit_log (at)`);
    await q.query(`CREATE INDEX audit_log_site_time ON audit_log (site_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['audit_log', 'mqtt_credentials', 'api_keys', 'refresh_tokens', 'users']) await q.query(`DROP TABLE ${t}`);
  }
}
