import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/**
 * An MQTT login: one per gate, plus the hub's own. The hash is in Mosquitto's `$7$` format
 * (PBKDF2-SHA512), so the same rows authenticate on the embedded aedes broker and become a Mosquitto
 * password file without ever storing the password. NATS takes bcrypt only, so each issue also stores a
 * bcrypt hash of the same password (null for logins issued before NATS support: re-issue them).
 */
@Entity('mqtt_credentials')
export class MqttCredentialEntity {
  @PrimaryColumn({ type: 'varchar', length: 140 }) username!: string;
  @Column({ type: 'varchar', length: 8 }) kind!: 'gate' | 'hub';
  @Column({ name: 'site_id', type: 'varchar', length: 63, nullable: true }) siteId!: string | null;
  @Column({ name: 'gate_id', type: 'varchar', length: 63, nullable: true }) gateId!: string | null;
  @Column({ name: 'password_hash', type: 'varchar', length: 255 }) passwordHash!: string;
  @Column({ name: 'nats_password_hash', type: 'varchar', length: 80, nullable: true }) natsPasswordHash!: string | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}
