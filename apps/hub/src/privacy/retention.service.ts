import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { JobLock } from '../cluster/job-lock.js';
import { AuditService } from '../audit/audit.service.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { Clock } from '../time/clock.js';
import { RetentionRepository, type RetentionTarget } from './retention.repository.js';

const DAY = 86_400_000;
/** Rows per statement: keeps SQLite's write lock and PostgreSQL's transactions short under ingest. */
const BATCH = 2_000;
/** First run this long after start, so a restarting hub still purges without slowing its start. */
const FIRST_RUN_MS = 60_000;

/** What one purge removed (deleted rows) or redacted (columns nulled); counts only. */
export interface RetentionReport {
  events: number;
  eventIdentities: number;
  eventAttachments: number;
  alertSnapshots: number;
  alerts: number;
  auditRows: number;
  deadLetters: number;
  /** Refresh tokens a day past their expiry (used or not: replay detection needs them only until then). */
  refreshTokens: number;
}

interface Step extends RetentionTarget {
  key: keyof RetentionReport;
  days: number;
  /** false: done, but not counted in the report (follows another step). */
  count?: false;
}

/**
 * The retention job (Decree 13/2023: keep personal data no longer than needed). On the configured
 * interval it deletes events, closed alerts, audit rows and dead letters past their ages, and blanks
 * the identity block (and CCCD HMAC) and the crop/frame references of younger events past theirs.
 * Minute counts are aggregates without personal data and are kept. A purge that changed anything
 * is audited with its counts. A row is due when it is strictly older than `now - days`; 0 days keeps
 * forever.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('Retention');
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<RetentionReport> | null = null;

  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly rows: RetentionRepository,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly jobs: JobLock,
    private readonly sites: SiteRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.cfg.retentionIntervalMin * 60_000;
    if (!every) return;
    // Several hub instances: the scheduled purge runs on one of them at a time (advisory lock).
    const run = () =>
      void this.jobs.runOnce('retention', () => this.purge()).catch((e: Error) => this.log.error(`purge failed: ${e.message}`));
    this.timers.push(setTimeout(run, Math.min(FIRST_RUN_MS, every)).unref(), setInterval(run, every).unref());
  }

  /** Before the database closes: no new purge starts, and one in progress finishes first. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.running?.catch(() => undefined);
  }

  /** Purges what is due at `now` (tests pass a clock); concurrent calls share one run. */
  purge(now: number = this.clock.now()): Promise<RetentionReport> {
    this.running ??= this.run(now).finally(() => (this.running = null));
    return this.running;
  }

  private steps(): Step[] {
    const c = this.cfg;
    return [
      ...this.perSite(
        { key: 'events', days: c.retentionEventsDays, table: 'gate_events', pk: 'event_id', where: 'occurred_at < ?' },
        'eventsDays',
      ),
      ...this.perSite(
        {
          key: 'eventIdentities',
          days: c.retentionIdentityDays,
          table: 'gate_events',
          pk: 'event_id',
          where: 'occurred_at < ? AND (identity_json IS NOT NULL OR id_number_hmac IS NOT NULL)',
          set: 'identity_json = NULL, id_number_hmac = NULL',
        },
        'identityDays',
      ),
      ...this.perSite(
        {
          key: 'eventAttachments',
          days: c.retentionCropsDays,
          table: 'gate_events',
          pk: 'event_id',
          where: 'occurred_at < ? AND attachments_json IS NOT NULL',
          set: 'attachments_json = NULL',
        },
        'cropsDays',
      ),
      ...this.perSite(
        {
          key: 'alertSnapshots',
          days: c.retentionCropsDays,
          table: 'alerts',
          pk: 'id',
          where: 'raised_at < ? AND (snapshot_ref IS NOT NULL OR last_snapshot_ref IS NOT NULL)',
          set: 'snapshot_ref = NULL, last_snapshot_ref = NULL',
        },
        'cropsDays',
      ),
      // Open alerts stay until handled; a closed one is kept for its age after closing.
      {
        key: 'alerts',
        days: c.retentionAlertsDays,
        table: 'alerts',
        pk: 'id',
        where: `closed_at < ? AND status IN ('resolved', 'false_positive')`,
      },
      // The sighting timelines of alerts purged above go with them.
      {
        key: 'alerts',
        days: 1,
        table: 'alert_sightings',
        pk: 'alert_id',
        where: 'occurred_at < ? AND alert_id NOT IN (SELECT id FROM alerts)',
        count: false,
      },
      { key: 'auditRows', days: c.retentionAuditDays, table: 'audit_log', pk: 'id', where: 'at < ?' },
      { key: 'deadLetters', days: c.retentionDeadLettersDays, table: 'dead_letters', pk: 'id', where: 'received_at < ?' },
      { key: 'refreshTokens', days: 1, table: 'refresh_tokens', pk: 'id', where: 'expires_at < ?' },
    ];
  }

  /**
   * A step as the hub's default for the sites without their own days, and once more for each site
   * that sets its own (Administration → Sites → retention). Site ids are `[a-z0-9_-]` (IdSchema).
   */
  private perSite(step: Step, field: 'eventsDays' | 'identityDays' | 'cropsDays'): Step[] {
    const own = this.sites.all().filter((s) => s.retention?.[field] !== undefined && /^[a-z0-9][a-z0-9_-]{0,62}$/.test(s.id));
    if (own.length === 0) return [step];
    const ids = own.map((s) => `'${s.id}'`);
    return [
      { ...step, where: `${step.where} AND site_id NOT IN (${ids.join(', ')})` },
      ...own.map((s) => ({ ...step, days: s.retention![field]!, where: `${step.where} AND site_id = '${s.id}'` })),
    ];
  }

  private async run(now: number): Promise<RetentionReport> {
    const report: RetentionReport = {
      events: 0,
      eventIdentities: 0,
      eventAttachments: 0,
      alertSnapshots: 0,
      alerts: 0,
      auditRows: 0,
      deadLetters: 0,
      refreshTokens: 0,
    };
    for (const s of this.steps()) {
      if (s.days > 0) {
        const n = await this.apply(s, now - s.days * DAY);
        if (s.count !== false) report[s.key] += n;
      }
    }
    if (Object.values(report).some((n) => n > 0)) {
      await this.audit.record({
        actor: 'system',
        action: 'retention.purge',
        subjectType: 'retention',
        detail: { ...report, at: new Date(now).toISOString() },
      });
      this.log.log(`purged ${JSON.stringify(report)}`);
    }
    return report;
  }

  /** Deletes or redacts due rows in batches; returns how many. */
  private async apply(s: Step, cutoff: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.rows.purgeBatch(s, cutoff, BATCH);
      total += n;
      if (n < BATCH) return total;
    }
  }
}
