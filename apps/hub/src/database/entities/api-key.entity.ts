import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/** An IOC wall display's key (role ioc); only a SHA-256 of the random secret is kept. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ name: 'key_hash', type: 'varchar', length: 64, unique: true }) keyHash!: string;
  @Column({ name: 'site_ids', type: 'text' }) siteIdsJson!: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: bigintNumber }) revokedAt!: number | null;
  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: bigintNumber }) lastUsedAt!: number | null;
}
