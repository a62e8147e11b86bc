import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AlertRule, Role, Severity } from '../../../../libs/contracts/src/index.js';
import { AlertRuleEntity } from '../database/entities/index.js';

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
const DEFAULT: AlertRule = { siteId: '*', minSeverity: 'low', notifyRoles: ['security', 'admin'] };

/** Which severities alert at a site and who is told (cached; a site rule overrides the `*` rule). */
@Injectable()
export class AlertRules implements OnApplicationBootstrap {
  private rules = new Map<string, AlertRule>();

  constructor(private readonly db: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
  }

  private async reload(): Promise<void> {
    const rows = await this.db.getRepository(AlertRuleEntity).find();
    this.rules = new Map(rows.map((r) => [r.siteId, { siteId: r.siteId, minSeverity: r.minSeverity, notifyRoles: JSON.parse(r.notifyRoles) as Role[] }]));
  }

  ruleFor(siteId: string): AlertRule {
    return this.rules.get(siteId) ?? this.rules.get('*') ?? DEFAULT;
  }

  /** null: this severity raises no alert at this site. */
  notify(siteId: string, severity: Severity): Role[] | null {
    const rule = this.ruleFor(siteId);
    return RANK[severity] >= RANK[rule.minSeverity] ? rule.notifyRoles : null;
  }

  list(): AlertRule[] {
    return [...this.rules.values()];
  }

  async put(rule: AlertRule): Promise<AlertRule> {
    await this.db.getRepository(AlertRuleEntity).save({ siteId: rule.siteId, minSeverity: rule.minSeverity, notifyRoles: JSON.stringify(rule.notifyRoles) });
    await this.reload();
    return rule;
  }
}
