import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash, randomUUID } from 'node:crypto';
import { from, switchMap, type Observable } from 'rxjs';
import type { Principal } from '../auth/principal.js';
import { RedisConnection } from '../cluster/redis-connection.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';

/** The 429 answer's machine code; the web shows its own sentence for it. */
export const HEAVY_READ_BUSY = 'heavy_read_busy';
/** When to try again, in the answer's Retry-After. */
const RETRY_AFTER_S = 10;

/** A held slot in Redis is renewed this often; one not renewed for `heavyReadSlotTtlS` is free again. */
const renewEvery = (ttlS: number) => Math.max(500, (ttlS * 1000) / 3);

// Take a slot in both sets at once, or in neither: members are slot ids, scores their expiry (Redis's
// clock, so the instances' clocks need not agree); expired slots (a crashed hub's) are dropped first.
const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) or redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
local exp = now + tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], exp, ARGV[1])
redis.call('ZADD', KEYS[2], exp, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) * 2)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]) * 2)
return 1
`;
// Extend a held slot (only if it is still there: an expired one is not brought back).
const RENEW_SCRIPT = `
local t = redis.call('TIME')
local exp = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', exp, ARGV[1])
redis.call('ZADD', KEYS[2], 'XX', exp, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) * 2)
return 1
`;

/**
 * Exports and report summaries over long ranges are the hub's heaviest reads (a 366-day export reads
 * every event of a year). They run at most `heavyReadsPerUser` at a time per user and
 * `heavyReadsTotal` at a time in all; one more is refused at once with 429 `heavy_read_busy` and
 * Retry-After, instead of queueing work that starves ingest and /health of database connections and
 * CPU. A slot is held until the response ends (finished or aborted).
 *
 * With REDIS_URL the limits are the deployment's, shared by every hub instance: a slot is a member of a
 * Redis sorted set per user and one for all, scored with its expiry (`heavyReadSlotTtlS`, renewed while
 * the read runs), so a hub that crashes holding slots frees them within that time. Each instance also
 * keeps its own count under the same limits, which is all there is on a single box and while Redis is
 * unreachable (then each instance allows the limits on its own, and /health says Redis is down).
 */
@Injectable()
export class HeavyReadLimiter {
  private readonly perUser = new Map<string, number>();
  private total = 0;

  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly redis: RedisConnection,
  ) {}

  get running(): number {
    return this.total;
  }

  /** A release function, or null when a limit is reached. */
  async tryAcquire(who: string): Promise<(() => void) | null> {
    const local = this.acquireLocal(who);
    if (!local) return null;
    const slot = `${this.cfg.instanceId}:${randomUUID()}`;
    const keys = ['cg:heavy-reads:all', `cg:heavy-reads:user:${createHash('sha256').update(who).digest('hex').slice(0, 40)}`];
    const ttlMs = this.cfg.heavyReadSlotTtlS * 1000;
    // null: Redis not configured or unreachable → this instance's own count only.
    const shared = await this.redis.shared<boolean | null>(
      async (r) => (await r.eval(ACQUIRE_SCRIPT, 2, ...keys, slot, this.cfg.heavyReadsPerUser, this.cfg.heavyReadsTotal, ttlMs)) === 1,
      () => null,
    );
    if (shared === false) {
      local();
      return null;
    }
    if (shared === null) return local;
    const renew = setInterval(
      () =>
        void this.redis.shared(
          async (r) => void (await r.eval(RENEW_SCRIPT, 2, ...keys, slot, ttlMs)),
          () => undefined,
        ),
      renewEvery(this.cfg.heavyReadSlotTtlS),
    );
    renew.unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      local();
      // Redis away now: the slot expires by itself.
      void this.redis.shared(
        async (r) => void (await Promise.all(keys.map((k) => r.zrem(k, slot)))),
        () => undefined,
      );
    };
  }

  private acquireLocal(who: string): (() => void) | null {
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
  constructor(
    private readonly limiter: HeavyReadLimiter,
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const who = req.principal ? `${req.principal.kind}:${req.principal.id}` : `ip:${req.ip}`;
    return from(this.limiter.tryAcquire(who)).pipe(
      switchMap((release) => {
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
        // 'close' comes once the response is finished or the client went away, whichever is first
        // (already gone while the slot was being taken: free it now).
        if (res.closed || req.destroyed) release();
        else res.once('close', release);
        return next.handle();
      }),
    );
  }
}

/** Marks a route as a heavy read (HeavyReadLimiter). */
export const HeavyRead = () => UseInterceptors(HeavyReadInterceptor);
