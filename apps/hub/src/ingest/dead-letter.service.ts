import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, Like, Not } from 'typeorm';
import { DEAD_LETTER_KEEP_BYTES, type RejectReason } from '../../../../libs/contracts/src/index.js';
import { DeadLetterEntity } from '../database/entities/index.js';
import { MetricsService } from '../observability/metrics.service.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { aad } from '../watchlist/watchlist-aad.js';

/** A CCCD number (12 digits) anywhere in a payload, quoted or not, JSON or garbage. */
const CCCD = /(?<!\d)\d{12}(?!\d)/g;
/** Long digit runs (ID, phone and card numbers) in texts kept in clear: the log and the detail column. */
const redactDigits = (s: string) => s.replace(/\d{9,}/g, (d) => `${'•'.repeat(d.length - 3)}${d.slice(-3)}`);

/** A refused message as an admin sees it (decrypted, audited by the caller). */
export interface DeadLetterView {
  id: number;
  receivedAt: number;
  topic: string;
  reason: string;
  detail: string;
  payloadBytes: number;
  payloadExcerpt: string;
}

/**
 * Refused messages: logged with the reason, counted by reason, kept truncated in `dead_letters`. What
 * a gate sent may carry identity data, so the excerpt is encrypted at rest, digit runs are masked in
 * the log and the detail, and the HMACs of the CCCD numbers in it are stored so a person's export and
 * erasure reach the row.
 */
@Injectable()
export class DeadLetterService implements OnApplicationBootstrap {
  private readonly log = new Logger('Ingest');
  private lastLog = 0;
  private suppressed = 0;

  constructor(
    private readonly db: DataSource,
    private readonly metrics: MetricsService,
    private readonly cipher: DataCipher,
  ) {}

  /** Rows kept in clear by an older hub are encrypted at start. */
  async onApplicationBootstrap(): Promise<void> {
    const repo = this.db.getRepository(DeadLetterEntity);
    for (;;) {
      const rows = await repo.find({ where: { payloadExcerpt: Not(Like('g1:%')) }, take: 500 });
      if (!rows.length) break;
      for (const r of rows)
        await repo.update(
          { id: r.id, payloadExcerpt: r.payloadExcerpt },
          this.sealed(r.ref ?? `legacy-${r.id}`, r.payloadExcerpt, r.detail),
        );
      if (rows.length < 500) break;
    }
  }

  /** `payloadBytes`: the size when `payload` is not the whole message (an oversized one, never read). */
  async reject(topic: string, payload: Buffer, reason: RejectReason, detail: string, payloadBytes = payload.length): Promise<void> {
    this.metrics.rejected.inc({ reason });
    // A flood of bad messages must not flood the log: one line a second, with a count of the rest.
    const now = Date.now();
    if (now - this.lastLog >= 1000) {
      const more = this.suppressed ? ` (+${this.suppressed} more refused since the last line)` : '';
      this.log.warn(`refused message on ${redactDigits(topic.slice(0, 200))}: ${reason}: ${redactDigits(detail.slice(0, 300))}${more}`);
      this.lastLog = now;
      this.suppressed = 0;
    } else this.suppressed++;
    const excerpt = payload.subarray(0, DEAD_LETTER_KEEP_BYTES).toString('utf8').replaceAll('\u0000', '\uFFFD');
    const ref = randomUUID();
    try {
      await this.db.getRepository(DeadLetterEntity).insert({
        receivedAt: now,
        topic: topic.slice(0, 512),
        reason,
        payloadBytes,
        ref,
        ...this.sealed(ref, excerpt, detail.slice(0, 2000)),
      });
    } catch (e) {
      this.log.error(`could not store dead letter: ${(e as Error).message}`);
    }
  }

  /** The newest refused messages, decrypted. */
  async list(limit: number): Promise<DeadLetterView[]> {
    return (await this.db.getRepository(DeadLetterEntity).find({ order: { id: 'DESC' }, take: limit })).map((r) => this.view(r));
  }

  /** Rows whose payload held this CCCD number (by its HMAC). */
  async findByIdHmac(hmac: string): Promise<DeadLetterEntity[]> {
    return this.db.getRepository(DeadLetterEntity).find({ where: { idHmacs: Like(`%,${hmac},%`) }, order: { id: 'ASC' } });
  }

  view(r: DeadLetterEntity): DeadLetterView {
    let payloadExcerpt: string;
    try {
      payloadExcerpt = this.cipher.decryptString(r.payloadExcerpt, aad.deadLetter(r.ref ?? `legacy-${r.id}`));
    } catch (e) {
      payloadExcerpt = `(unreadable: ${(e as Error).message})`;
    }
    return {
      id: r.id,
      receivedAt: r.receivedAt,
      topic: r.topic,
      reason: r.reason,
      detail: r.detail,
      payloadBytes: r.payloadBytes,
      payloadExcerpt,
    };
  }

  private sealed(ref: string, excerpt: string, detail: string): Pick<DeadLetterEntity, 'payloadExcerpt' | 'idHmacs' | 'detail'> {
    const numbers = new Set([...excerpt.matchAll(CCCD), ...detail.matchAll(CCCD)].map((m) => m[0]));
    return {
      payloadExcerpt: this.cipher.encrypt(excerpt, aad.deadLetter(ref)),
      idHmacs: numbers.size ? `,${[...numbers].map((n) => this.cipher.idHmac(n)).join(',')},` : null,
      detail: redactDigits(detail),
    };
  }
}
