import { Injectable } from '@nestjs/common';
import { RedisConnection } from './redis-connection.js';

const key = (sid: string) => `cg:revoked-session:${sid}`;

/**
 * Sessions whose access tokens are refused until those tokens expire. In process on a single hub; in
 * Redis (one key per session, expiring with its last token) when hub instances share REDIS_URL, so a
 * logout or revocation on one instance is refused by every other at once.
 */
@Injectable()
export class RevokedSessions {
  private readonly local = new Map<string, number>();

  constructor(private readonly redis: RedisConnection) {}

  async add(sessionId: string, untilMs: number): Promise<void> {
    const now = Date.now();
    const ttl = Math.max(1, untilMs - now);
    if (this.redis.command) {
      await this.redis.command.set(key(sessionId), '1', 'PX', ttl);
      return;
    }
    for (const [sid, until] of this.local) if (until < now) this.local.delete(sid);
    this.local.set(sessionId, untilMs);
  }

  async has(sessionId: string): Promise<boolean> {
    if (this.redis.command) return (await this.redis.command.exists(key(sessionId))) === 1;
    const until = this.local.get(sessionId);
    return until !== undefined && until >= Date.now();
  }
}
