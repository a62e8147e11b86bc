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
const hashed = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 40);
const redisKey = (pair: string) => `cg:login-failures:${hashed(pair)}`;
const accountKey = (who: string) => `cg:login-account:${hashed(who)}`;
const knownKey = (pair: string) => `cg:login-known:${hashed(pair)}`;
/** An address the user signed in from is known (not slowed by the account's back-off) this long. */
const KNOWN_MS = 30 * 86_400_000;

export interface BackoffPolicy {
  threshold: number;
  baseS: number;
  maxS: number;
}

/** The account's back-off after `failed` failures from all addresses: when the next attempt may come. */
function backoffUntil(last: number, failed: number, p: BackoffPolicy): number | null {
  const over = failed - p.threshold;
  return over >= 0 ? last + Math.min(p.maxS * 1000, p.baseS * 1000 * 2 ** Math.min(over, 30)) : null;
}

// One failure for the account, atomically; the same arithmetic as backoffUntil().
const ACCOUNT_FAIL_SCRIPT = `
local failed = redis.call('HINCRBY', KEYS[1], 'failed', 1)
local over = failed - tonumber(ARGV[2])
local next = 0
if over >= 0 then
  local d = tonumber(ARGV[3]) * 1000 * (2 ^ math.min(over, 30))
  local m = tonumber(ARGV[4]) * 1000
  if d > m then d = m end
  next = tonumber(ARGV[1]) + d
  redis.call('HSET', KEYS[1], 'nextAt', string.format('%d', next))
end
redis.call('PEXPIRE', KEYS[1], ${FORGET_MS})
return { failed, string.format('%d', next) }
`;
/** The pair keys of one user (any address), so an admin's password reset can clear them all. */
const userIndexKey = (userId: number | string) => `cg:login-failure-pairs:${hashed(String(userId))}`;

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
  /** Account (all addresses) → failures and when the next attempt from an unknown address may come. */
  private readonly accounts = new Map<string, { failed: number; nextAt: number | null; at: number }>();
  /** user + address pairs that signed in → when. */
  private readonly known = new Map<string, number>();

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
        const [failed, locked] = (await r.eval(
          FAIL_SCRIPT,
          2,
          redisKey(pair),
          userIndexKey(userId),
          now,
          policy.threshold,
          policy.baseS,
        )) as [number, string];
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

  /** Every address's counter and lock of one user, and the account's back-off (an admin reset the password: the user may sign in at once). */
  async clearUser(userId: number | string): Promise<void> {
    for (const pair of [...this.local.keys()]) if (pair.startsWith(`${userId}\n`)) this.local.delete(pair);
    this.accounts.delete(String(userId));
    await this.redis.shared(
      async (r) => {
        const keys = await r.smembers(userIndexKey(userId));
        await r.del(userIndexKey(userId), accountKey(String(userId)), ...keys);
      },
      () => undefined,
    );
  }

  async clear(userId: number | string, ip: string): Promise<void> {
    const pair = `${userId}\n${ip}`;
    this.local.delete(pair);
    await this.redis.shared(
      async (r) => void (await r.del(redisKey(pair))),
      () => undefined,
    );
  }

  /**
   * The account-wide back-off (see AuthConfigShape.loginBackoffThreshold): when the next attempt for
   * this account may come from `ip`, or null when it may come now. An address the user signed in from
   * is never slowed, so a distributed guess cannot keep the real user out at their own desk.
   */
  async backoff(userId: number | string, ip: string, now: number): Promise<number | null> {
    const who = String(userId);
    const pair = `${who}\n${ip}`;
    const local = (): number | null => {
      const knownAt = this.known.get(pair);
      if (knownAt !== undefined && now - knownAt < KNOWN_MS) return null;
      const a = this.accounts.get(who);
      return a?.nextAt && a.nextAt > now && now - a.at < FORGET_MS ? a.nextAt : null;
    };
    return this.redis.shared(async (r) => {
      const [known, next] = await Promise.all([r.exists(knownKey(pair)), r.hget(accountKey(who), 'nextAt')]);
      if (known) return null;
      const n = Number(next ?? 0);
      return n > now ? n : local();
    }, local);
  }

  /** One failure counted against the account, over all addresses. */
  async recordAccountFailure(userId: number | string, now: number, policy: BackoffPolicy): Promise<void> {
    const who = String(userId);
    const local = () => {
      const prev = this.accounts.get(who);
      const failed = (prev && now - prev.at < FORGET_MS ? prev.failed : 0) + 1;
      this.accounts.delete(who);
      this.accounts.set(who, { failed, nextAt: backoffUntil(now, failed, policy), at: now });
      while (this.accounts.size > MAX_LOCAL) this.accounts.delete(this.accounts.keys().next().value!);
    };
    await this.redis.shared(
      async (r) => void (await r.eval(ACCOUNT_FAIL_SCRIPT, 1, accountKey(who), now, policy.threshold, policy.baseS, policy.maxS)),
      local,
    );
  }

  /** The user signed in from `ip`: that address is not slowed by the account's back-off for 30 days. */
  async rememberAddress(userId: number | string, ip: string, now: number): Promise<void> {
    const pair = `${userId}\n${ip}`;
    this.known.delete(pair);
    this.known.set(pair, now);
    while (this.known.size > MAX_LOCAL) this.known.delete(this.known.keys().next().value!);
    await this.redis.shared(
      async (r) => void (await r.set(knownKey(pair), '1', 'PX', KNOWN_MS)),
      () => undefined,
    );
  }
}
