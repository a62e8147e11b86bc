import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

@Entity('gates')
export class GateEntity {
  @PrimaryColumn({ name: 'site_id', type: 'varchar', length: 63 }) siteId!: string;
  @PrimaryColumn({ type: 'varchar', length: 63 }) id!: string;
  @Column({ name: 'zone_id', type: 'varchar', length: 63 }) zoneId!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'boolean', default: false }) online!: boolean;
  @Column({ name: 'status_at', type: 'bigint', nullable: true, transformer: bigintNumber }) statusAt!: number | null;
  /** Last status message as received (camera health, outbox depth). */
  @Column({ name: 'status_json', type: 'text', nullable: true }) statusJson!: string | null;
}
