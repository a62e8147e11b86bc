import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';

/** A command to Redis that takes longer than this fails (and the caller falls back): no request waits on a dead Redis. */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;

/**
 * The hub's Redis connections when REDIS_URL is set (several hub instances share sockets, revoked
 * sessions and login throttling through it); absent on a single box, where all of that stays in
 * process. `command` serves commands; `subscriber` is a second connection that only subscribes.
 *
 * A Redis outage is an alarm, never a crash: every connection has an `error` handler (logged once per
 * outage, not once per reconnect attempt), commands are not queued while Redis is away
 * (`enableOfflineQueue: false`) and time out after REDIS_COMMAND_TIMEOUT_MS, so their callers fall
 * back to this instance's own state at once (`ready` false); ioredis reconnects by itself, and the
 * shared state is used again as soon as it is back. `/health` and `/metrics` report the outage.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly log = new Logger('Redis');
  readonly command: Redis | null;
  private sub: Redis | null = null;
  private readonly readyHooks: (() => void)[] = [];
  /** Since when Redis has been unreachable (null: connected, or never configured). */
  private downSinceMs: number | null = null;
  private lastError = '';

  constructor(@Inject(HUB_CONFIG) private readonly cfg: HubConfig) {
    this.command = cfg.redisUrl
      ? this.connect('command', { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS })
      : null;
    if (this.command) {
      this.downSinceMs = Date.now(); // until the first 'ready'
      this.command.on('ready', () => {
        if (this.downSinceMs !== null && this.lastError)
          this.log.log(`command: Redis is back after ${Math.round((Date.now() - this.downSinceMs) / 1000)} s; shared state in use again`);
        this.downSinceMs = null;
        this.lastError = '';
        for (const h of this.readyHooks) h();
      });
      this.command.on('close', () => {
        this.downSinceMs ??= Date.now();
      });
    }
  }

  get enabled(): boolean {
    return this.command !== null;
  }

  /** Redis configured and connected right now: shared state can be used. */
  get ready(): boolean {
    return this.command?.status === 'ready';
  }

  /** Runs `hook` each time the command connection is (again) ready, e.g. to hand Redis what was kept locally meanwhile. */
  onReady(hook: () => void): void {
    this.readyHooks.push(hook);
  }

  /**
   * `fn` against Redis when it is connected; otherwise, or when the command fails (outage, timeout),
   * `fallback` (this instance's own state). Never throws because of Redis.
   */
  async shared<T>(fn: (r: Redis) => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    const r = this.command;
    if (!r || r.status !== 'ready') return fallback();
    try {
      return await fn(r);
    } catch (e) {
      this.lastError = (e as Error).message;
      return fallback();
    }
  }

  /** For /health and /metrics: null when Redis is not configured. */
  state(): { up: boolean; downForS?: number; error?: string } | null {
    if (!this.command) return null;
    if (this.ready) return { up: true };
    return {
      up: false,
      downForS: this.downSinceMs === null ? 0 : Math.round((Date.now() - this.downSinceMs) / 1000),
      error: this.lastError || this.command.status,
    };
  }

  /** A connection for SUBSCRIBE (created on first use); subscriptions wait for Redis and are restored after an outage. */
  get subscriber(): Redis {
    if (!this.command) throw new Error('REDIS_URL is not set');
    this.sub ??= this.connect('subscriber', { maxRetriesPerRequest: null });
    return this.sub;
  }

  /**
   * The Socket.IO adapter's pair. `pub` does not queue while Redis is away and its PUBLISH failures
   * are caught (the adapter does not await them: an uncaught rejection would end the process); the
   * local sockets still get every push. `sub` waits for Redis and re-subscribes when it is back.
   */
  adapterClients(): { pub: Redis; sub: Redis } {
    const pub = this.connect('adapter-pub', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    });
    const publish = pub.publish.bind(pub) as (...a: unknown[]) => Promise<number>;
    (pub as unknown as { publish: (...a: unknown[]) => Promise<number> }).publish = (...a: unknown[]) => {
      const p = publish(...a);
      p.catch(() => undefined); // the outage is logged by the error handler and reported by /health
      return p;
    };
    const sub = this.connect('adapter-sub', { maxRetriesPerRequest: null });
    return { pub, sub };
  }

  private connect(role: string, opts: RedisOptions): Redis {
    const r = new Redis(this.cfg.redisUrl!, { connectionName: `cg-${this.cfg.instanceId}-${role}`, enableAutoPipelining: true, ...opts });
    let said = '';
    r.on('error', (e: Error) => {
      if (role === 'command') this.lastError = e.message;
      // Once per outage and kind of error, not on every reconnect attempt.
      if (e.message === said) return;
      said = e.message;
      this.log.warn(`${role}: ${e.message} (Redis unreachable: this instance uses its own state until it is back)`);
    });
    r.on('ready', () => (said = ''));
    return r;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [this.command, this.sub].map((r) => (r && r.status === 'ready' ? r.quit().catch(() => r.disconnect()) : r?.disconnect())),
    );
  }
}
