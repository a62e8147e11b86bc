import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per site (or `*`): the lowest severity that alerts, and the roles notified (JSON array). */
@Entity('alert_rules')
export class AlertRuleEntity {
  @PrimaryColumn({ name: 'site_id', type: 'varchar', length: 63 }) siteId!: string;
  @Column({ name: 'min_severity', type: 'varchar', length: 8 }) minSeverity!: 'low' | 'medium' | 'high' | 'critical';
  @Column({ name: 'notify_roles', type: 'text' }) notifyRoles!: string;
  @Column({ name: 'group_window_minutes', type: 'double precision', nullable: true }) groupWindowMinutes!: number | null;
  @Column({ name: 'escalate_after_minutes', type: 'double precision', nullable: true }) escalateAfterMinutes!: number | null;
  @Column({ name: 'webhook_url', type: 'varchar', length: 500, nullable: true }) webhookUrl!: string | null;
}
