import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEAD_LETTER_KEEP_BYTES, type RejectReason } from '../../../../libs/contracts/src/index.js';
import { DeadLetterEntity } from '../database/entities/index.js';
import { MetricsService } from '../observability/metrics.service.js';

/** Refused messages: logged with the reason, counted by reason, kept truncated in `dead_letters`. */
@Injectable()
export class DeadLetterService {
  private readonly log = new Logger('Ingest');
  private lastLog = 0;
  private suppressed = 0;

  constructor(private readonly db: DataSource, private readonly metrics: MetricsService) {}

  async reject(topic: string, payload: Buffer, reason: RejectReason, detail: string): Promise<void> {
    this.metrics.rejected.inc({ reason });
    // A flood of bad messages must not flood the log: one line a second, with a count of the rest.
    const now = Date.now();
    if (now - this.lastLog >= 1000) {
      const more = this.suppressed ? ` (+${this.suppressed} more refused since the last line)` : '';
      this.log.warn(`refused message on ${topic.slice(0, 200)}: ${reason}: ${detail.slice(0, 300)}${more}`);
      this.lastLog = now;
      this.suppressed = 0;
    } else this.suppressed++;
    const excerpt = payload.subarray(0, DEAD_LETTER_KEEP_BYTES).toString('utf8').replace(/\u0000/g, '\uFFFD');
    try {
      await this.db.getRepository(DeadLetterEntity).insert({
        receivedAt: now,
        topic: topic.slice(0, 512),
        reason,
        detail: detail.slice(0, 2000),
        payloadBytes: payload.length,
        payloadExcerpt: excerpt,
      });
    } catch (e) {
      this.log.error(`could not store dead letter: ${(e as Error).message}`);
    }
  }
}
