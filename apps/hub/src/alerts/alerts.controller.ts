import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  AlertActionSchema,
  AlertBulkAckSchema,
  AlertListQuerySchema,
  AlertRuleSchema,
  SocketEvents,
  type AlertAction,
  type AlertBulkAck,
  type AlertListQuery,
  type AlertRule,
} from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { codedError } from '../http/coded-error.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import type { AlertEntity } from '../database/entities/index.js';
import { AlertChecker } from './alert-checker.service.js';
import { AlertRules } from './alert-rules.service.js';
import { AlertsRepository } from './alerts.repository.js';

const HANDLE = ['admin', 'security'] as const;
const NEXT: Record<string, { from: string[]; to: 'acknowledged' | 'resolved' | 'false_positive' }> = {
  acknowledge: { from: ['open'], to: 'acknowledged' },
  resolve: { from: ['open', 'acknowledged'], to: 'resolved' },
  'false-positive': { from: ['open', 'acknowledged'], to: 'false_positive' },
};

/** Alerts of a site and their workflow: acknowledge → resolve or false positive, who and when recorded. */
@ApiTags('alerts')
@Controller('api/sites/:siteId/alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsRepository,
    private readonly checker: AlertChecker,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Access(HANDLE, { param: 'siteId' })
  async list(
    @Param('siteId') siteId: string,
    @Query(new ZodPipe(AlertListQuerySchema.omit({ siteId: true }))) q: Omit<AlertListQuery, 'siteId'>,
    @CurrentPrincipal() p: Principal,
  ) {
    const rows = await this.alerts.list({ ...q, siteId });
    await this.audit.record({ actor: p, action: 'alert.list', subjectType: 'alert', siteId, detail: { count: rows.length } });
    return rows.map((r) => this.alerts.view(r));
  }

  /** Acknowledges several open alerts of the site with one note; each is audited; ones no longer open are reported, not failed. */
  @Post('acknowledge')
  @HttpCode(200)
  @Access(HANDLE, { param: 'siteId' })
  async acknowledgeMany(
    @Param('siteId') siteId: string,
    @Body(new ZodPipe(AlertBulkAckSchema)) body: AlertBulkAck,
    @CurrentPrincipal() p: Principal,
  ) {
    const ids = [...new Set(body.alertIds)];
    const rows = await this.alerts.findMany(siteId, ids);
    const found = new Set(rows.map((r) => r.id));
    const acknowledged = [];
    const skipped: { alertId: string; code: string; status?: string }[] = ids
      .filter((id) => !found.has(id))
      .map((alertId) => ({ alertId, code: 'ALERT_NOT_FOUND' }));
    for (const row of rows) {
      if (row.status !== 'open') {
        skipped.push({ alertId: row.id, code: 'ALERT_WRONG_STATE', status: row.status });
        continue;
      }
      acknowledged.push(await this.step(row, 'acknowledged', body.note, p, true));
    }
    return { acknowledged, skipped };
  }

  /** The sightings folded into an alert, oldest first (its timeline). */
  @Get(':alertId/sightings')
  @Access(HANDLE, { param: 'siteId' })
  async sightings(@Param('siteId') siteId: string, @Param('alertId') alertId: string) {
    const row = await this.alerts.find(alertId);
    if (!row || row.siteId !== siteId) throw notFound(alertId, siteId);
    return this.alerts.sightings(alertId);
  }

  @Post(':alertId/:action')
  @HttpCode(200)
  @Access(HANDLE, { param: 'siteId' })
  async act(
    @Param('siteId') siteId: string,
    @Param('alertId') alertId: string,
    @Param('action') action: string,
    @Body(new ZodPipe(AlertActionSchema)) body: AlertAction,
    @CurrentPrincipal() p: Principal,
  ) {
    const step = NEXT[action];
    if (!step)
      throw codedError(404, 'ALERT_UNKNOWN_ACTION', `no alert action ${action} (acknowledge, resolve, false-positive)`, { action });
    const row = await this.alerts.find(alertId);
    if (!row || row.siteId !== siteId) throw notFound(alertId, siteId);
    if (!step.from.includes(row.status))
      throw codedError(409, 'ALERT_WRONG_STATE', `alert is ${row.status}: cannot ${action}`, { status: row.status, action });
    return this.step(row, step.to, body.note, p, false);
  }

  /** One step of the workflow: who and when, the step's own note (kept apart from the others), audited with the note, pushed. */
  private async step(
    row: AlertEntity,
    to: 'acknowledged' | 'resolved' | 'false_positive',
    note: string | undefined,
    p: Principal,
    bulk: boolean,
  ) {
    const now = Date.now();
    const text = note?.trim() || null;
    if (to === 'acknowledged') Object.assign(row, { acknowledgedBy: p.name, acknowledgedAt: now, ackNote: text });
    else Object.assign(row, { closedBy: p.name, closedAt: now, closeNote: text });
    row.status = to;
    if (text) row.note = text;
    await this.alerts.save(row);
    await this.audit.record({
      actor: p,
      action: `alert.${to}`,
      subjectType: 'alert',
      subjectId: row.id,
      siteId: row.siteId,
      detail: { note: text, at: new Date(now).toISOString(), ...(bulk ? { bulk: true } : {}) },
    });
    this.checker.push(SocketEvents.alertUpdate, row);
    return this.alerts.view(row);
  }
}

const notFound = (alertId: string, siteId: string) =>
  codedError(404, 'ALERT_NOT_FOUND', `no alert ${alertId} at site ${siteId}`, { alertId: alertId.slice(0, 36) });

/** Alert rules by site and severity (admin). */
@ApiTags('alerts')
@Controller('api/alert-rules')
export class AlertRulesController {
  constructor(
    private readonly rules: AlertRules,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Access(['admin'])
  list() {
    return this.rules.list();
  }

  @Put()
  @Access(['admin'])
  async put(@Body(new ZodPipe(AlertRuleSchema)) rule: AlertRule, @CurrentPrincipal() p: Principal) {
    await this.audit.record({
      actor: p,
      action: 'alert_rule.put',
      subjectType: 'alert_rule',
      subjectId: rule.siteId,
      siteId: rule.siteId === '*' ? null : rule.siteId,
      detail: rule,
    });
    return this.rules.put(rule);
  }
}
