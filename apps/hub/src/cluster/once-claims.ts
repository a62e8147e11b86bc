import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { RedisConnection } from './redis-connection.js';

/** A claim lapses this long after its holder last renewed it (a dead instance's claim, at the latest). */
export const CLAIM_MS = 3_000;
/** The holder renews its claim this often while it works. */
const RENEW_MS = 1_000;
/** A finished job stays marked done this long, so instances that see the same request later skip it. */
export const DONE_MS = 60_000;

const DONE = 'done';

// Take the claim if nobody holds it and it is not done; otherwise say who holds it and for how long.
const TAKE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, 0} end
local v = redis.call('GET', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if v == '${DONE}' then return {2, ttl} end
return {0, ttl}
`;
// Only the holder may renew, finish or release its claim.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const FINISH = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], '${DONE}', 'PX', ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** The outcome of `take`: this instance holds the claim, another does (retry after `retryInMs`), or the job is done. */
export type Take = { kind: 'won'; claim: Claim } | { kind: 'held'; retryInMs: number } | { kind: 'done' };

/** A claim this instance holds: renewed while held; `finish` marks the job done, `release` gives it up. */
export interface Claim {
  finish(): Promise<void>;
  release(): Promise<void>;
}

const noClaim: Claim = { finish: async () => undefined, release: async () => undefined };

/**
 * "Exactly one hub instance does this": a short-lived claim per job in Redis when hub instances share
 * REDIS_URL. The holder renews it while it works and marks the job done at the end; an instance that
 * finds it held retries once the claim could have lapsed, so a job whose holder died (SIGKILL, OOM)
 * is taken over within CLAIM_MS. Without Redis (one hub) every job is simply won.
 */
@Injectable()
export class OnceClaims {
  private readonly owner: string;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(HUB_CONFIG) cfg: HubConfig,
  ) {
    this.owner = `${cfg.instanceId}:${randomBytes(6).toString('hex')}`;
  }

  async take(key: string): Promise<Take> {
    const r = this.redis.command;
    if (!r) return { kind: 'won', claim: noClaim };
    // Redis unreachable: the caller answers here (twice beats never), at once rather than after a timeout.
    if (!this.redis.ready) throw new Error('Redis is unreachable');
    const [state, ttl] = (await r.eval(TAKE, 1, key, this.owner, CLAIM_MS)) as [number, number];
    if (state === 2) return { kind: 'done' };
    // A key without expiry (-1) or gone meanwhile (-2): try again soon.
    if (state === 0) return { kind: 'held', retryInMs: Math.max(50, Number(ttl) + 50) };
    const renew = setInterval(() => void r.eval(RENEW, 1, key, this.owner, CLAIM_MS).catch(() => undefined), RENEW_MS);
    renew.unref();
    const owner = this.owner;
    return {
      kind: 'won',
      claim: {
        async finish() {
          clearInterval(renew);
          await r.eval(FINISH, 1, key, owner, DONE_MS);
        },
        async release() {
          clearInterval(renew);
          await r.eval(RELEASE, 1, key, owner);
        },
      },
    };
  }
}
