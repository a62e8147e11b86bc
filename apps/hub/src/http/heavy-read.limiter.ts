import { HttpException, HttpStatus, Inject, Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import type { Principal } from '../auth/principal.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';

/** The 429 answer's machine code; the web shows its own sentence for it. */
export const HEAVY_READ_BUSY = 'heavy_read_busy';
/** When to try again, in the answer's Retry-After. */
const RETRY_AFTER_S = 10;

/**
 * Exports and report summaries over long ranges are the hub's heaviest reads (a 366-day export reads
 * every event of a year). They run at most `heavyReadsPerUser` at a time per user and
 * `heavyReadsTotal` at a time on this instance; one more is refused at once with 429
 * `heavy_read_busy` and Retry-After, instead of queueing work that starves ingest and /health of
 * database connections and CPU. A slot is held until the response ends (finished or aborted).
 */
@Injectable()
export class HeavyReadLimiter {
  private readonly perUser = new Map<string, number>();
  private total = 0;

  constructor(@Inject(HUB_CONFIG) private readonly cfg: HubConfig) {}

  get running(): number {
    return this.total;
  }

  /** A release function, or null when a limit is reached. */
  tryAcquire(who: string): (() => void) | null {
    const mine = this.perUser.get(who) ?? 0;
    if (mine >= this.cfg.heavyReadsPerUser || this.total >= this.cfg.heavyReadsTotal) return null;
    this.perUser.set(who, mine + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.perUser.get(who) ?? 1) - 1;
      if (n > 0) this.perUser.set(who, n);
      else this.perUser.delete(who);
    };
  }
}

@Injectable()
export class HeavyReadInterceptor implements NestInterceptor {
  constructor(private readonly limiter: HeavyReadLimiter, @Inject(HUB_CONFIG) private readonly cfg: HubConfig) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const who = req.principal ? `${req.principal.kind}:${req.principal.id}` : `ip:${req.ip}`;
    const release = this.limiter.tryAcquire(who);
    if (!release) {
      res.setHeader('retry-after', String(RETRY_AFTER_S));
      throw new HttpException(
        {
          statusCode: 429,
          code: HEAVY_READ_BUSY,
          message: `Đang chạy quá nhiều bản xuất/báo cáo (tối đa ${this.cfg.heavyReadsPerUser} mỗi người, ${this.cfg.heavyReadsTotal} cùng lúc); thử lại sau ${RETRY_AFTER_S} giây. / Too many exports or reports running (at most ${this.cfg.heavyReadsPerUser} per user, ${this.cfg.heavyReadsTotal} at once); try again in ${RETRY_AFTER_S} s.`,
          retryAfterS: RETRY_AFTER_S,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    // 'close' comes once the response is finished or the client went away, whichever is first.
    res.once('close', release);
    return next.handle();
  }
}

/** Marks a route as a heavy read (HeavyReadLimiter). */
export const HeavyRead = () => UseInterceptors(HeavyReadInterceptor);
