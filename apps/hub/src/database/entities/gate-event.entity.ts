import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/** One stored gate event. Times are epoch milliseconds (BIGINT) so SQLite and PostgreSQL agree. */
@Entity('gate_events')
@Index('gate_events_site_time', ['siteId', 'occurredAt'])
@Index('gate_events_gate_time', ['gateId', 'occurredAt'])
@Index('gate_events_id_hmac', ['idNumberHmac'])
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
  /** Identity block, AES-256-GCM ciphertext of its JSON (personal data: see the README's privacy section). */
  @Column({ name: 'identity_json', type: 'text', nullable: true }) identityJson!: string | null;
  /** HMAC of the CCCD number, for export/erase on request and ID matching without the clear number. */
  @Column({ name: 'id_number_hmac', type: 'varchar', length: 64, nullable: true }) idNumberHmac!: string | null;
  @Column({ name: 'attachments_json', type: 'text', nullable: true }) attachmentsJson!: string | null;
}
