import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/** One watched (or allowed) person. Name and CCCD number are ciphertexts; the number also as HMAC. */
@Entity('watchlist_entries')
@Index('watchlist_entries_site', ['siteId', 'listKind'])
@Index('watchlist_entries_id_hmac', ['idNumberHmac'])
export class WatchlistEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'site_id', type: 'varchar', length: 63 }) siteId!: string;
  @Column({ name: 'list_kind', type: 'varchar', length: 10 }) listKind!: 'watchlist' | 'allowlist';
  @Column({ name: 'full_name_enc', type: 'text' }) fullNameEnc!: string;
  @Column({ name: 'id_number_hmac', type: 'varchar', length: 64, nullable: true }) idNumberHmac!: string | null;
  @Column({ name: 'id_number_enc', type: 'text', nullable: true }) idNumberEnc!: string | null;
  @Column({ type: 'varchar', length: 500 }) reason!: string;
  @Column({ type: 'varchar', length: 8 }) severity!: 'low' | 'medium' | 'high' | 'critical';
  @Column({ type: 'varchar', length: 100 }) source!: string;
  @Column({ name: 'valid_from', type: 'bigint', nullable: true, transformer: bigintNumber }) validFrom!: number | null;
  @Column({ name: 'valid_until', type: 'bigint', nullable: true, transformer: bigintNumber }) validUntil!: number | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'created_by', type: 'varchar', length: 140 }) createdBy!: string;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
  @Column({ name: 'updated_by', type: 'varchar', length: 140 }) updatedBy!: string;
}
