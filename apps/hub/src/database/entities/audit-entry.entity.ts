import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/** Who did what to which personal data, when (Decree 13/2023 art. 27: processing must be logged). */
@Entity('audit_log')
@Index('audit_log_time', ['at'])
@Index('audit_log_site_time', ['siteId', 'at'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'bigint', transformer: bigintNumber }) at!: number;
  @Column({ type: 'varchar', length: 140 }) actor!: string;
  @Column({ type: 'varchar', length: 64 }) action!: string;
  @Column({ name: 'subject_type', type: 'varchar', length: 64 }) subjectType!: string;
  @Column({ name: 'subject_id', type: 'varchar', length: 200, nullable: true }) subjectId!: string | null;
  @Column({ name: 'site_id', type: 'varchar', length: 63, nullable: true }) siteId!: string | null;
  @Column({ name: 'detail_json', type: 'text', nullable: true }) detailJson!: string | null;
}
