import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  AlertActionSchema,
  AlertListQuerySchema,
  AlertRuleSchema,
  SocketEvents,
  type AlertAction,
  type AlertListQuery,
  type AlertRule,
} from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
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
  async list(@Param('siteId') siteId: string, @Query(new ZodPipe(AlertListQuerySchema.omit({ siteId: true }))) q: Omit<AlertListQuery, 'siteId'>, @CurrentPrincipal() p: Principal) {
    const rows = await this.alerts.list({ ...q, siteId });
    await this.audit.record({ actor: p, action: 'alert.list', subjectType: 'alert', siteId, detail: { count: rows.length } });
    return rows.map((r) => this.alerts.view(r));
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
    const row = await this.alerts.find(alertId);
    if (!step || !row || row.siteId !== siteId) throw new NotFoundException(`no alert ${alertId} at site ${siteId}`);
    if (!step.from.includes(row.status)) throw new ConflictException(`alert is ${row.status}: cannot ${action}`);
    const now = Date.now();
    if (step.to === 'acknowledged') Object.assign(row, { acknowledgedBy: p.name, acknowledgedAt: now });
    else Object.assign(row, { closedBy: p.name, closedAt: now });
    row.status = step.to;
    if (body.note) row.note = body.note;
    await this.alerts.save(row);
    await this.audit.record({ actor: p, action: `alert.${step.to}`, subjectType: 'alert', subjectId: alertId, siteId });
    this.checker.push(SocketEvents.alertUpdate, row);
    return this.alerts.view(row);
  }
}

/** Alert rules by site and severity (admin). */
@ApiTags('alerts')
@Controller('api/alert-rules')
export class AlertRulesController {
  constructor(private readonly rules: AlertRules, private readonly audit: AuditService) {}

  @Get()
  @Access(['admin'])
  list() {
    return this.rules.list();
  }

  @Put()
  @Access(['admin'])
  async put(@Body(new ZodPipe(AlertRuleSchema)) rule: AlertRule, @CurrentPrincipal() p: Principal) {
    await this.audit.record({ actor: p, action: 'alert_rule.put', subjectType: 'alert_rule', subjectId: rule.siteId, siteId: rule.siteId === '*' ? null : rule.siteId, detail: rule });
    return this.rules.put(rule);
  }
}
