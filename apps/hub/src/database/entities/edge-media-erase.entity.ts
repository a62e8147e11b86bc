import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/**
 * A person-erase's order to one gate's edge to delete face crops, written in the erase's transaction
 * and sent until the edge acknowledges (EdgeMediaService), across hub restarts. The refs (opaque crop
 * references) are dropped once acknowledged; the row stays as the record of which edge confirmed.
 */
@Entity('edge_media_erase')
@Index('edge_media_erase_pending', ['ackedAt'])
export class EdgeMediaEraseEntity {
  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 36 }) requestId!: string;
  /** Whose erase (the person's ID-number HMAC, as in the audit log). */
  @Column({ type: 'varchar', length: 64 }) subject!: string;
  @Column({ name: 'site_id', type: 'varchar', length: 63 }) siteId!: string;
  @Column({ name: 'gate_id', type: 'varchar', length: 63 }) gateId!: string;
  /** JSON array of crop references; `[]` once acknowledged. */
  @Column({ type: 'text' }) refs!: string;
  @Column({ name: 'crop_count', type: 'integer' }) cropCount!: number;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'last_sent_at', type: 'bigint', nullable: true, transformer: bigintNumber }) lastSentAt!: number | null;
  @Column({ name: 'acked_at', type: 'bigint', nullable: true, transformer: bigintNumber }) ackedAt!: number | null;
  @Column({ type: 'integer', nullable: true }) deleted!: number | null;
  @Column({ type: 'integer', nullable: true }) missing!: number | null;
}
