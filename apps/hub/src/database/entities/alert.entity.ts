import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/** A watchlist hit or a door alarm at a lane, and its handling (who acknowledged/closed it, when). */
@Entity('alerts')
@Index('alerts_event_entry', ['eventId', 'entryId'], { unique: true })
@Index('alerts_site_time', ['siteId', 'raisedAt'])
@Index('alerts_id_hmac', ['idNumberHmac'])
export class AlertEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 16, default: 'watchlist' }) kind!: 'watchlist' | 'door';
  @Column({ name: 'site_id', type: 'varchar', length: 63 }) siteId!: string;
  @Column({ name: 'zone_id', type: 'varchar', length: 63 }) zoneId!: string;
  @Column({ name: 'gate_id', type: 'varchar', length: 63 }) gateId!: string;
  @Column({ name: 'lane_id', type: 'varchar', length: 63, nullable: true }) laneId!: string | null;
  @Column({ name: 'event_id', type: 'varchar', length: 36 }) eventId!: string;
  @Column({ name: 'entry_id', type: 'varchar', length: 36, nullable: true }) entryId!: string | null;
  @Column({ name: 'list_kind', type: 'varchar', length: 10, nullable: true }) listKind!: 'watchlist' | 'allowlist' | null;
  @Column({ type: 'varchar', length: 8 }) severity!: 'low' | 'medium' | 'high' | 'critical';
  @Column({ name: 'match_kind', type: 'varchar', length: 10, nullable: true }) matchKind!: 'face' | 'face_near' | 'id_number' | null;
  @Column({ type: 'double precision', nullable: true }) score!: number | null;
  @Column({ name: 'full_name_enc', type: 'text', nullable: true }) fullNameEnc!: string | null;
  @Column({ type: 'varchar', length: 500 }) reason!: string;
  @Column({ name: 'id_number_hmac', type: 'varchar', length: 64, nullable: true }) idNumberHmac!: string | null;
  @Column({ name: 'snapshot_ref', type: 'varchar', length: 512, nullable: true }) snapshotRef!: string | null;
  @Column({ name: 'occurred_at', type: 'bigint', transformer: bigintNumber }) occurredAt!: number;
  @Column({ name: 'raised_at', type: 'bigint', transformer: bigintNumber }) raisedAt!: number;
  @Column({ type: 'varchar', length: 16 }) status!: 'open' | 'acknowledged' | 'resolved' | 'false_positive';
  @Column({ name: 'acknowledged_by', type: 'varchar', length: 140, nullable: true }) acknowledgedBy!: string | null;
  @Column({ name: 'acknowledged_at', type: 'bigint', nullable: true, transformer: bigintNumber }) acknowledgedAt!: number | null;
  @Column({ name: 'closed_by', type: 'varchar', length: 140, nullable: true }) closedBy!: string | null;
  @Column({ name: 'closed_at', type: 'bigint', nullable: true, transformer: bigintNumber }) closedAt!: number | null;
  @Column({ type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'ack_note', type: 'text', nullable: true }) ackNote!: string | null;
  @Column({ name: 'close_note', type: 'text', nullable: true }) closeNote!: string | null;
  /** Sightings folded into this alert (same entry, same site, within the site's window). */
  @Column({ type: 'integer', default: 1 }) sightings!: number;
  @Column({ name: 'last_seen_at', type: 'bigint', nullable: true, transformer: bigintNumber }) lastSeenAt!: number | null;
  /** JSON array of the gates it was seen at, first seen first. */
  @Column({ name: 'gates_json', type: 'text', nullable: true }) gatesJson!: string | null;
  @Column({ name: 'last_event_id', type: 'varchar', length: 36, nullable: true }) lastEventId!: string | null;
  @Column({ name: 'last_snapshot_ref', type: 'varchar', length: 512, nullable: true }) lastSnapshotRef!: string | null;
  @Column({ name: 'escalated_at', type: 'bigint', nullable: true, transformer: bigintNumber }) escalatedAt!: number | null;
}

/** One sighting folded into a watchlist alert: the alert's timeline. An (event, entry) pair is folded once. */
@Entity('alert_sightings')
@Index('alert_sightings_alert', ['alertId', 'occurredAt'])
export class AlertSightingEntity {
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 36 }) eventId!: string;
  @PrimaryColumn({ name: 'entry_id', type: 'varchar', length: 36 }) entryId!: string;
  @Column({ name: 'alert_id', type: 'varchar', length: 36 }) alertId!: string;
  @Column({ name: 'gate_id', type: 'varchar', length: 63 }) gateId!: string;
  @Column({ name: 'lane_id', type: 'varchar', length: 63, nullable: true }) laneId!: string | null;
  @Column({ name: 'occurred_at', type: 'bigint', transformer: bigintNumber }) occurredAt!: number;
  @Column({ name: 'match_kind', type: 'varchar', length: 10, nullable: true }) matchKind!: 'face' | 'face_near' | 'id_number' | null;
  @Column({ type: 'double precision', nullable: true }) score!: number | null;
}
