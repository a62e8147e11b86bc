import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/**
 * A refresh token, stored as a SHA-256 of its secret. Tokens rotate: each refresh revokes the one
 * used and issues the next in the same family; presenting a revoked token revokes the whole family
 * (it was stolen or replayed).
 */
@Entity('refresh_tokens')
@Index('refresh_tokens_user', ['userId'])
export class RefreshTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'user_id', type: 'integer' }) userId!: number;
  @Column({ name: 'family_id', type: 'varchar', length: 36 }) familyId!: string;
  @Column({ name: 'token_hash', type: 'varchar', length: 64 }) tokenHash!: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'expires_at', type: 'bigint', transformer: bigintNumber }) expiresAt!: number;
  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: bigintNumber }) revokedAt!: number | null;
}
