import type { ThrottlerStorage } from '@nestjs/throttler';
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

export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly redis: RedisConnection) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const base = `cg:throttle:${throttlerName}:${key}`;
    const block = blockDuration > 0 ? blockDuration : ttl;
    const [hits, ttlMs, blockMs] = (await this.redis.command!.eval(SCRIPT, 2, `${base}:hits`, `${base}:block`, ttl, limit, block)) as [number, number, number];
    return { totalHits: hits, timeToExpire: Math.ceil(Math.max(0, ttlMs) / 1000), isBlocked: blockMs > 0, timeToBlockExpire: Math.ceil(Math.max(0, blockMs) / 1000) };
  }
}
