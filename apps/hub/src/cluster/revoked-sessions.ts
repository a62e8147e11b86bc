import { Injectable } from '@nestjs/common';
import { RedisConnection } from './redis-connection.js';

const key = (sid: string) => `cg:revoked-session:${sid}`;

/**
 * Sessions whose access tokens are refused until those tokens expire. In process on a single hub; in
 * Redis (one key per session, expiring with its last token) when hub instances share REDIS_URL, so a
 * logout or revocation on one instance is refused by every other at once.
 *
 * Redis unreachable: every revocation is also kept here, so this instance refuses the token at once;
 * the ones made during the outage are written to Redis when it returns (until then the other
 * instances learn of them only from the session rows: a refresh is refused everywhere, an access
 * token lives at most its short lifetime).
 */
@Injectable()
export class RevokedSessions {
  private readonly local = new Map<string, number>();
  private readonly unsynced = new Set<string>();

  constructor(private readonly redis: RedisConnection) {
    redis.onReady(() => void this.flush());
  }

  async add(sessionId: string, untilMs: number): Promise<void> {
    const now = Date.now();
    for (const [sid, until] of this.local)
      if (until < now) {
        this.local.delete(sid);
        this.unsynced.delete(sid);
      }
    this.local.set(sessionId, untilMs);
    if (!this.redis.enabled) return;
    const ok = await this.redis.shared(
      async (r) => (await r.set(key(sessionId), '1', 'PX', Math.max(1, untilMs - now)), true),
      () => false,
    );
    if (!ok) this.unsynced.add(sessionId);
  }

  async has(sessionId: string): Promise<boolean> {
    const until = this.local.get(sessionId);
    if (until !== undefined && until >= Date.now()) return true;
    return this.redis.shared(
      async (r) => (await r.exists(key(sessionId))) === 1,
      () => false,
    );
  }

  /** Revocations made while Redis was away, to Redis now. */
  private async flush(): Promise<void> {
    const now = Date.now();
    for (const sid of [...this.unsynced]) {
      const until = this.local.get(sid);
      if (until === undefined || until < now) {
        this.unsynced.delete(sid);
        continue;
      }
      const ok = await this.redis.shared(
        async (r) => (await r.set(key(sid), '1', 'PX', Math.max(1, until - now)), true),
        () => false,
      );
      if (!ok) return;
      this.unsynced.delete(sid);
    }
  }
}
