import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/** Entries and exits per gate per minute: every headcount and chart is a sum over these rows. */
@Entity('count_minutes')
@Index('count_minutes_site_minute', ['siteId', 'minute'])
export class CountMinuteEntity {
  @PrimaryColumn({ name: 'site_id', type: 'varchar', length: 63 }) siteId!: string;
  @PrimaryColumn({ name: 'gate_id', type: 'varchar', length: 63 }) gateId!: string;
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber }) minute!: number;
  @Column({ name: 'zone_id', type: 'varchar', length: 63 }) zoneId!: string;
  @Column({ type: 'integer', default: 0 }) entries!: number;
  @Column({ type: 'integer', default: 0 }) exits!: number;
}
