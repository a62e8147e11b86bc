import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/** One stored gate event. Times are epoch milliseconds (BIGINT) so SQLite and PostgreSQL agree. */
@Entity('gate_events')
@Index('gate_events_site_time', ['siteId', 'occurredAt'])
@Index('gate_events_gate_time', ['gateId', 'occurredAt'])
export class GateEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 36 }) eventId!: string;
  @Column({ name: 'site_id', type: 'varchar', length: 63 }) siteId!: string;
  @Column({ name: 'zone_id', type: 'varchar', length: 63 }) zoneId!: string;
  @Column({ name: 'gate_id', type: 'varchar', length: 63 }) gateId!: string;
  @Column({ name: 'lane_id', type: 'varchar', length: 63, nullable: true }) laneId!: string | null;
  @Column({ type: 'varchar', length: 5 }) direction!: 'entry' | 'exit';
  @Column({ type: 'varchar', length: 8 }) source!: 'camera' | 'card' | 'face' | 'manual';
  @Column({ name: 'occurred_at', type: 'bigint', transformer: bigintNumber }) occurredAt!: number;
  @Column({ name: 'received_at', type: 'bigint', transformer: bigintNumber }) receivedAt!: number;
  @Column({ name: 'track_id', type: 'varchar', length: 64, nullable: true }) trackId!: string | null;
  /** Identity block; personal data (see the privacy section of the README). */
  @Column({ name: 'identity_json', type: 'text', nullable: true }) identityJson!: string | null;
  @Column({ name: 'attachments_json', type: 'text', nullable: true }) attachmentsJson!: string | null;
}
