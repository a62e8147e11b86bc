import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AlertRule, Role, Severity } from '../../../../libs/contracts/src/index.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { AlertRuleEntity } from '../database/entities/index.js';

/** Order of severities, lowest first. */
export const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
const DEFAULT: AlertRule = { siteId: '*', minSeverity: 'low', notifyRoles: ['security', 'admin'] };

/**
 * Which severities alert at a site and who is told, how long sightings fold into one alert, and when
 * and where an unanswered critical alert escalates (cached; a site rule overrides the `*` rule, which
 * overrides the hub's ALERT_* settings).
 */
@Injectable()
export class AlertRules implements OnApplicationBootstrap {
  private rules = new Map<string, AlertRule>();

  constructor(
    private readonly db: DataSource,
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
  }

  private async reload(): Promise<void> {
    const rows = await this.db.getRepository(AlertRuleEntity).find();
    this.rules = new Map(
      rows.map((r) => [
        r.siteId,
        {
          siteId: r.siteId,
          minSeverity: r.minSeverity,
          notifyRoles: JSON.parse(r.notifyRoles) as Role[],
          ...(r.groupWindowMinutes !== null ? { groupWindowMinutes: r.groupWindowMinutes } : {}),
          ...(r.escalateAfterMinutes !== null ? { escalateAfterMinutes: r.escalateAfterMinutes } : {}),
          ...(r.webhookUrl !== null ? { webhookUrl: r.webhookUrl } : {}),
        },
      ]),
    );
  }

  ruleFor(siteId: string): AlertRule {
    return this.rules.get(siteId) ?? this.rules.get('*') ?? DEFAULT;
  }

  /** A setting from the site's rule, else the `*` rule, else the hub's default. */
  private setting<K extends 'groupWindowMinutes' | 'escalateAfterMinutes' | 'webhookUrl'>(siteId: string, k: K): AlertRule[K] | undefined {
    return this.rules.get(siteId)?.[k] ?? this.rules.get('*')?.[k];
  }

  /** Sightings of one entry this close (ms) to the alert's last one fold into it. */
  groupWindowMs(siteId: string): number {
    return (this.setting(siteId, 'groupWindowMinutes') ?? this.cfg.alertGroupWindowMinutes) * 60_000;
  }

  /** How long (ms) a critical alert may stay unacknowledged before it escalates; 0: never. */
  escalateAfterMs(siteId: string): number {
    return (this.setting(siteId, 'escalateAfterMinutes') ?? this.cfg.alertEscalateMinutes) * 60_000;
  }

  /** The shortest escalation delay of any site (ms), for the checker's pace; 0 when none escalates. */
  shortestEscalationMs(): number {
    const all = [
      this.cfg.alertEscalateMinutes,
      ...[...this.rules.values()].map((r) => r.escalateAfterMinutes ?? this.cfg.alertEscalateMinutes),
    ].filter((m) => m > 0);
    return all.length ? Math.min(...all) * 60_000 : 0;
  }

  webhookUrl(siteId: string): string | undefined {
    return this.setting(siteId, 'webhookUrl') ?? this.cfg.alertWebhookUrl;
  }

  /** null: this severity raises no alert at this site. */
  notify(siteId: string, severity: Severity): Role[] | null {
    const rule = this.ruleFor(siteId);
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[rule.minSeverity] ? rule.notifyRoles : null;
  }

  list(): AlertRule[] {
    return [...this.rules.values()];
  }

  async put(rule: AlertRule): Promise<AlertRule> {
    await this.db.getRepository(AlertRuleEntity).save({
      siteId: rule.siteId,
      minSeverity: rule.minSeverity,
      notifyRoles: JSON.stringify(rule.notifyRoles),
      groupWindowMinutes: rule.groupWindowMinutes ?? null,
      escalateAfterMinutes: rule.escalateAfterMinutes ?? null,
      webhookUrl: rule.webhookUrl ?? null,
    });
    await this.reload();
    return rule;
  }
}
