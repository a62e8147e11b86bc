import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('sites')
export class SiteEntity {
  @PrimaryColumn({ type: 'varchar', length: 63 }) id!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'varchar', length: 16 }) kind!: 'tourist' | 'industrial' | 'station';
  /** The whole site as last saved (SiteConfigSchema): zones, gates, capacity, live-camera and retention rules. */
  @Column({ name: 'settings_json', type: 'text', nullable: true }) settingsJson!: string | null;
}
