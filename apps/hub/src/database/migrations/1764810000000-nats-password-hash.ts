import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A bcrypt hash of each MQTT login's password next to the Mosquitto one: the form nats-server's users take. */
export class NatsPasswordHash1764810000000 implements MigrationInterface {
  name = 'NatsPasswordHash1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mqtt_credentials ADD COLUMN nats_password_hash VARCHAR(80)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mqtt_credentials DROP COLUMN nats_password_hash`);
  }
}
