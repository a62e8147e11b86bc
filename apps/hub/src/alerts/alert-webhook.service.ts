import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pRetry, { AbortError } from 'p-retry';
import { Webhook } from 'standardwebhooks';
import type { AlertWebhookPayload } from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';

/** Attempts per delivery, the first retry's delay (doubling, capped) and each attempt's time limit. */
export const WEBHOOK_RETRY = { retries: 6, minTimeoutMs: 1000, maxTimeoutMs: 60_000, attemptTimeoutMs: 5000 };

/**
 * POSTs an escalated alert to a site's webhook, signed per Standard Webhooks (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the
 * ALERT_WEBHOOK_SECRET's bytes), so a site can forward it to its own messaging. A network error, a
 * timeout, 408, 429 or 5xx is retried with backoff (the same webhook-id each time, so the receiver can
 * drop duplicates); another 4xx is final. Delivery and final failure are audited; a failure is logged
 * as an error (the alarm), never thrown into the caller. Retries live in memory: a hub restart drops
 * the ones in flight.
 */
@Injectable()
export class AlertWebhook implements OnModuleDestroy {
  private readonly log = new Logger('AlertWebhook');
  private readonly signer: Webhook | null;
  private readonly stop = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    @Inject(HUB_CONFIG) cfg: HubConfig,
    private readonly audit: AuditService,
  ) {
    this.signer = cfg.alertWebhookSecret ? new Webhook(Buffer.from(cfg.alertWebhookSecret, 'utf8'), { format: 'raw' }) : null;
  }

  /** Starts delivering (in the background); resolves to whether it was delivered (tests, shutdown). */
  send(url: string, payload: Omit<AlertWebhookPayload, 'deliveryId' | 'sentAt'>): Promise<boolean> {
    const p = this.deliver(url, payload);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  private async deliver(url: string, payload: Omit<AlertWebhookPayload, 'deliveryId' | 'sentAt'>): Promise<boolean> {
    const a = payload.alert;
    const deliveryId = `msg_${randomUUID()}`;
    const audit = (action: string, detail: Record<string, unknown>) =>
      this.audit
        .record({
          actor: 'system',
          action,
          subjectType: 'alert',
          subjectId: a.alertId,
          siteId: a.siteId,
          detail: { url: redact(url), deliveryId, ...detail },
        })
        .catch((e: Error) => this.log.error(`audit: ${e.message}`));
    if (!this.signer) {
      this.log.error(`alert ${a.alertId} escalated but ALERT_WEBHOOK_SECRET is not set: nothing sent to ${redact(url)}`);
      await audit('alert.webhook_failed', { error: 'no_secret', attempts: 0 });
      return false;
    }
    const body = JSON.stringify({
      type: payload.type,
      deliveryId,
      sentAt: new Date().toISOString(),
      alert: a,
    } satisfies AlertWebhookPayload);
    let attempts = 0;
    try {
      const status = await pRetry(
        async () => {
          attempts++;
          const now = new Date();
          const res = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'user-agent': 'cong-ai-hub',
              'webhook-id': deliveryId,
              'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
              'webhook-signature': this.signer!.sign(deliveryId, now, body),
            },
            body,
            signal: AbortSignal.any([AbortSignal.timeout(WEBHOOK_RETRY.attemptTimeoutMs), this.stop.signal]),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) return res.status;
          const err = new Error(`HTTP ${res.status}`);
          if (res.status < 500 && res.status !== 408 && res.status !== 429) throw new AbortError(err);
          throw err;
        },
        {
          retries: WEBHOOK_RETRY.retries,
          minTimeout: WEBHOOK_RETRY.minTimeoutMs,
          maxTimeout: WEBHOOK_RETRY.maxTimeoutMs,
          signal: this.stop.signal,
          onFailedAttempt: (e) =>
            this.log.warn(
              `alert ${a.alertId} webhook attempt ${e.attemptNumber} to ${redact(url)} failed: ${e.message}${e.retriesLeft ? ` (${e.retriesLeft} retries left)` : ''}`,
            ),
        },
      );
      await audit('alert.webhook_delivered', { attempts, status });
      return true;
    } catch (e) {
      this.log.error(`alert ${a.alertId} escalation NOT delivered to ${redact(url)} after ${attempts} attempts: ${(e as Error).message}`);
      await audit('alert.webhook_failed', { attempts, error: (e as Error).message.slice(0, 200) });
      return false;
    }
  }

  /** Resolves when every delivery started so far has finished (tests). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async onModuleDestroy(): Promise<void> {
    this.stop.abort();
    await this.settled();
  }
}

/** A webhook URL without credentials or query (tokens live there), for logs and the audit. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
