import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/access.decorators.js';
import { IngestBacklog } from './ingest-backlog.js';
import { HubMqtt } from '../broker/hub-mqtt.service.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    private readonly mqtt: HubMqtt,
    private readonly ingest: IngestBacklog,
  ) {}

  /** 200 when the database answers and the hub is connected to its broker; 503 otherwise. */
  @Get()
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 2000 }),
      () => {
        const i = this.indicator.check('mqtt');
        const mode = this.mqtt.mode;
        return this.mqtt.connected() ? i.up({ mode, backlog: this.ingest.backlog }) : i.down({ mode, message: 'not connected to the broker' });
      },
    ]);
  }
}
