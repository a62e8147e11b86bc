import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';

/**
 * The hub's Redis connections when REDIS_URL is set (several hub instances share sockets, revoked
 * sessions and login throttling through it); absent on a single box, where all of that stays in
 * process. `command` serves commands; `subscriber` is a second connection that only subscribes.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly log = new Logger('Redis');
  readonly command: Redis | null;
  private sub: Redis | null = null;

  constructor(@Inject(HUB_CONFIG) private readonly cfg: HubConfig) {
    this.command = cfg.redisUrl ? this.connect('command') : null;
  }

  get enabled(): boolean {
    return this.command !== null;
  }

  /** A connection for SUBSCRIBE (created on first use). */
  get subscriber(): Redis {
    if (!this.command) throw new Error('REDIS_URL is not set');
    this.sub ??= this.connect('subscriber');
    return this.sub;
  }

  private connect(role: string): Redis {
    const r = new Redis(this.cfg.redisUrl!, { connectionName: `cg-${this.cfg.instanceId}-${role}`, maxRetriesPerRequest: 3, enableAutoPipelining: true });
    r.on('error', (e: Error) => this.log.warn(`${role}: ${e.message}`));
    return r;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.command, this.sub].map((r) => r?.quit().catch(() => r.disconnect())));
  }
}
