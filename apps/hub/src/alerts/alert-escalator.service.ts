import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SocketEvents } from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { AlertChecker } from './alert-checker.service.js';
import { AlertRules } from './alert-rules.service.js';
import { AlertWebhook } from './alert-webhook.service.js';
import { AlertsRepository } from './alerts.repository.js';

/**
 * A critical alert nobody acknowledged within its site's delay escalates, once: marked overdue
 * (`escalatedAt`, pushed to the site's security screens, which sound the alarm again), audited, and
 * POSTed to the site's webhook when one is configured. The claim is one conditional UPDATE, so with
 * several hub instances exactly one escalates each alert.
 */
@Injectable()
export class AlertEscalator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('AlertEscalator');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(
    private readonly alerts: AlertsRepository,
    private readonly rules: AlertRules,
    private readonly checker: AlertChecker,
    private readonly webhook: AlertWebhook,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  /** Looks again at a pace of a tenth of the shortest delay, between 1 and 15 seconds. */
  private schedule(): void {
    const shortest = this.rules.shortestEscalationMs();
    const every = Math.min(15_000, Math.max(1000, (shortest || 60_000) / 10));
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((e: Error) => this.log.error(`escalation check failed: ${e.message}`))
        .finally(() => {
          this.running = null;
          if (this.timer) this.schedule();
        });
    }, every);
    this.timer.unref();
  }

  /** One pass (public for tests): escalates every overdue alert; returns how many it escalated. */
  async tick(now = Date.now()): Promise<number> {
    const shortest = this.rules.shortestEscalationMs();
    if (!shortest) return 0;
    let n = 0;
    for (const row of await this.alerts.overdueCandidates(now - shortest)) {
      const delay = this.rules.escalateAfterMs(row.siteId);
      if (!delay || now - row.raisedAt < delay) continue;
      if (!(await this.alerts.claimEscalation(row.id, now))) continue;
      n++;
      row.escalatedAt = now;
      const minutes = Math.round(((now - row.raisedAt) / 60_000) * 10) / 10;
      const url = this.rules.webhookUrl(row.siteId);
      await this.audit.record({
        actor: 'system',
        action: 'alert.escalated',
        subjectType: 'alert',
        subjectId: row.id,
        siteId: row.siteId,
        detail: { minutesUnacknowledged: minutes, webhook: Boolean(url) },
      });
      this.log.warn(`critical alert ${row.id} at ${row.siteId} unacknowledged for ${minutes} min: escalated`);
      this.checker.push(SocketEvents.alertUpdate, row);
      const v = this.alerts.view(row);
      if (url)
        void this.webhook.send(url, {
          type: 'alert.escalated',
          alert: {
            alertId: v.alertId,
            kind: v.kind,
            siteId: v.siteId,
            gateId: v.gateId,
            laneId: v.laneId,
            severity: v.severity,
            reason: v.reason,
            sightings: v.sightings,
            firstSeenAt: v.firstSeenAt,
            lastSeenAt: v.lastSeenAt,
            raisedAt: v.raisedAt,
            escalatedAt: v.escalatedAt!,
            minutesUnacknowledged: minutes,
          },
        });
    }
    return n;
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
