import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('zones')
export class ZoneEntity {
  @PrimaryColumn({ name: 'site_id', type: 'varchar', length: 63 }) siteId!: string;
  @PrimaryColumn({ type: 'varchar', length: 63 }) id!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
}
