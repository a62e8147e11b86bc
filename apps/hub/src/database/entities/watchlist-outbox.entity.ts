import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/**
 * A watchlist change waiting to be published to the edges, written in the same transaction as the
 * change and its sequence number. Holds entry ids only (no names, numbers or templates: the delta is
 * built from the entries when it is published); deleted once the broker has it.
 */
@Entity('watchlist_outbox')
export class WatchlistOutboxEntity {
  @PrimaryColumn({ name: 'site_id', type: 'varchar', length: 63 }) siteId!: string;
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber }) seq!: number;
  /** JSON arrays of entry ids. */
  @Column({ type: 'text' }) upserts!: string;
  @Column({ type: 'text' }) removes!: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}
