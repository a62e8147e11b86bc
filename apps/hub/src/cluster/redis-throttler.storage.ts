import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * Fixed window per key: hits counted in Redis, so every hub instance throttles the same client the same
 * way; over the limit the key is blocked for `blockDuration` (or the rest of the window). Times in
 * seconds, as @nestjs/throttler's own storage reports them.
 */
const SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blocked = redis.call('PTTL', KEYS[2])
if blocked <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
return { hits, ttl, blocked }
`;

/** Redis unreachable: counted in this instance's memory meanwhile (throttled per instance, never a 500). */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly local = new ThrottlerStorageService();

  constructor(private readonly redis: RedisConnection) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const base = `cg:throttle:${throttlerName}:${key}`;
    const block = blockDuration > 0 ? blockDuration : ttl;
    const shared = await this.redis.shared(
      async (r) => (await r.eval(SCRIPT, 2, `${base}:hits`, `${base}:block`, ttl, limit, block)) as [number, number, number],
      () => null,
    );
    if (!shared) return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    const [hits, ttlMs, blockMs] = shared;
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(Math.max(0, ttlMs) / 1000),
      isBlocked: blockMs > 0,
      timeToBlockExpire: Math.ceil(Math.max(0, blockMs) / 1000),
    };
  }
}
