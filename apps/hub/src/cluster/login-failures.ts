import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RedisConnection } from './redis-connection.js';

export interface LoginFailureState {
  failed: number;
  lockedUntil: number | null;
}

export interface LockoutPolicy {
  threshold: number;
  baseS: number;
}

/** A locked pair stays locked at most this long; a pair's counter is forgotten a day after its last failure. */
const MAX_LOCK_MS = 86_400_000;
const FORGET_MS = 86_400_000;
const MAX_LOCAL = 10_000;

/** The user id and address are hashed into the key: Redis holds no client addresses in clear. */
const redisKey = (pair: string) => `cg:login-failures:${createHash('sha256').update(pair).digest('hex').slice(0, 40)}`;
/** The pair keys of one user (any address), so an admin's password reset can clear them all. */
const userIndexKey = (userId: number | string) => `cg:login-failure-pairs:${createHash('sha256').update(String(userId)).digest('hex').slice(0, 40)}`;

/** Lock after the threshold, doubling with each further failure, at most a day. */
function lockUntil(now: number, failed: number, p: LockoutPolicy): number | null {
  const over = failed - p.threshold;
  return over >= 0 ? now + Math.min(MAX_LOCK_MS, p.baseS * 1000 * 2 ** Math.min(over, 20)) : null;
}

// One failure, atomically: count it, compute the lock the same way as lockUntil(), keep the pair a day.
const FAIL_SCRIPT = `
local failed = redis.call('HINCRBY', KEYS[1], 'failed', 1)
local over = failed - tonumber(ARGV[2])
local locked = 0
if over >= 0 then
  local d = tonumber(ARGV[3]) * 1000 * (2 ^ math.min(over, 20))
  if d > ${MAX_LOCK_MS} then d = ${MAX_LOCK_MS} end
  locked = tonumber(ARGV[1]) + d
  redis.call('HSET', KEYS[1], 'lockedUntil', string.format('%d', locked))
end
local keep = ${FORGET_MS}
if locked > 0 then keep = keep + (locked - tonumber(ARGV[1])) end
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('SADD', KEYS[2], KEYS[1])
if redis.call('PTTL', KEYS[2]) < keep then redis.call('PEXPIRE', KEYS[2], keep) end
return { failed, string.format('%d', locked) }
`;

/**
 * Failed logins per user + client address. In process on a single box (bounded: the oldest pairs are
 * forgotten first, so a flood of addresses cannot grow the hub); in Redis when hub instances share
 * REDIS_URL, so guesses spread over several instances behind a load balancer add up and a pair locked
 * on one instance is locked on all.
 */
@Injectable()
export class LoginFailures {
  private readonly local = new Map<string, LoginFailureState>();

  constructor(private readonly redis: RedisConnection) {}

  async get(userId: number | string, ip: string): Promise<LoginFailureState | null> {
    const pair = `${userId}\n${ip}`;
    return this.redis.shared(
      async (r) => {
        const h = await r.hgetall(redisKey(pair));
        if (!h.failed) return this.local.get(pair) ?? null;
        return { failed: Number(h.failed), lockedUntil: h.lockedUntil ? Number(h.lockedUntil) : null };
      },
      () => this.local.get(pair) ?? null,
    );
  }

  /** Counted in Redis when it is reachable, else here (Redis outage: each instance counts its own, still bounded). */
  async recordFailure(userId: number | string, ip: string, now: number, policy: LockoutPolicy): Promise<LoginFailureState> {
    const pair = `${userId}\n${ip}`;
    return this.redis.shared(
      async (r) => {
        const [failed, locked] = (await r.eval(FAIL_SCRIPT, 2, redisKey(pair), userIndexKey(userId), now, policy.threshold, policy.baseS)) as [number, string];
        return { failed: Number(failed), lockedUntil: Number(locked) > 0 ? Number(locked) : null };
      },
      () => this.recordLocal(pair, now, policy),
    );
  }

  private recordLocal(pair: string, now: number, policy: LockoutPolicy): LoginFailureState {
    const failed = (this.local.get(pair)?.failed ?? 0) + 1;
    const state = { failed, lockedUntil: lockUntil(now, failed, policy) };
    this.local.delete(pair);
    this.local.set(pair, state);
    while (this.local.size > MAX_LOCAL) this.local.delete(this.local.keys().next().value!);
    return state;
  }

  /** Every address's counter and lock of one user (an admin reset the password: the user may sign in at once). */
  async clearUser(userId: number | string): Promise<void> {
    for (const pair of [...this.local.keys()]) if (pair.startsWith(`${userId}\n`)) this.local.delete(pair);
    await this.redis.shared(
      async (r) => {
        const keys = await r.smembers(userIndexKey(userId));
        await r.del(userIndexKey(userId), ...keys);
      },
      () => undefined,
    );
  }

  async clear(userId: number | string, ip: string): Promise<void> {
    const pair = `${userId}\n${ip}`;
    this.local.delete(pair);
    await this.redis.shared(async (r) => void (await r.del(redisKey(pair))), () => undefined);
  }
}
