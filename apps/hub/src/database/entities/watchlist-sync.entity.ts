import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/** The last delta sequence number published for a site's watchlist. */
@Entity('watchlist_sync')
export class WatchlistSyncEntity {
  @PrimaryColumn({ name: 'site_id', type: 'varchar', length: 63 }) siteId!: string;
  @Column({ type: 'bigint', transformer: bigintNumber }) seq!: number;
}
