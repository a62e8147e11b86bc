import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/access.decorators.js';
import { IngestBacklog } from './ingest-backlog.js';
import { HubMqtt } from '../broker/hub-mqtt.service.js';
import { RedisConnection } from '../cluster/redis-connection.js';
import { MetricsService } from './metrics.service.js';
import { DataSource } from 'typeorm';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    private readonly mqtt: HubMqtt,
    private readonly ingest: IngestBacklog,
    private readonly redis: RedisConnection,
    metrics: MetricsService,
    dataSource: DataSource,
  ) {
    metrics.dependencyProbes.set('mqtt', () => this.mqtt.connected());
    metrics.dependencyProbes.set('database', () =>
      Promise.race([dataSource.query('SELECT 1').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref())]),
    );
    if (redis.enabled) metrics.dependencyProbes.set('redis', () => redis.ready);
  }

  /**
   * 200 when the database answers and the hub is connected to its broker; 503 otherwise. Redis (when
   * REDIS_URL is set) is reported, not required: while it is away the hub keeps ingesting and serving
   * on its own state, so the answer stays 200 with `status: "degraded"` and `redis.status: "down"`.
   */
  @Get()
  @Public()
  @HealthCheck()
  async check() {
    const result = await this.health.check([
      () => this.db.pingCheck('database', { timeout: 2000 }),
      () => {
        const i = this.indicator.check('mqtt');
        const mode = this.mqtt.mode;
        return this.mqtt.connected()
          ? i.up({ mode, backlog: this.ingest.backlog })
          : i.down({ mode, message: 'not connected to the broker' });
      },
    ]);
    const redis = this.redis.state();
    if (!redis) return result;
    const entry = redis.up
      ? { status: 'up' as const }
      : {
          status: 'down' as const,
          message: `Redis unreachable for ${redis.downForS} s (${redis.error}); this instance uses its own state`,
          downForS: redis.downForS,
        };
    return {
      ...result,
      status: redis.up ? result.status : 'degraded',
      info: { ...result.info, redis: entry },
      details: { ...result.details, redis: entry },
    };
  }
}
