import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';
import type { Role } from '../../../../../libs/contracts/src/index.js';

/** A hub user. Site grants are a small JSON list: read with the user on every login and refresh. */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 63, unique: true }) username!: string;
  /** argon2id PHC string. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 }) passwordHash!: string;
  @Column({ type: 'varchar', length: 16 }) role!: Role;
  @Column({ name: 'site_ids', type: 'text' }) siteIdsJson!: string;
  @Column({ type: 'boolean', default: false }) disabled!: boolean;
  /** Set when an admin (or the first start) chose the password: the web asks for a new one before anything else. */
  @Column({ name: 'must_change_password', type: 'boolean', default: false }) mustChangePassword!: boolean;
  /** Consecutive failed logins; drives the lockout backoff. */
  @Column({ name: 'failed_logins', type: 'integer', default: 0 }) failedLogins!: number;
  @Column({ name: 'locked_until', type: 'bigint', nullable: true, transformer: bigintNumber }) lockedUntil!: number | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'last_login_at', type: 'bigint', nullable: true, transformer: bigintNumber }) lastLoginAt!: number | null;
}
