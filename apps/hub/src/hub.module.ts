import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { CodedErrorFilter } from './http/coded-error.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authControllers, authImports, authProviders } from './auth/auth-wiring.js';
import { PayloadLimitWiring } from './broker/payload-limit.wiring.js';
import { ClusterModule } from './cluster/cluster.module.js';
import { EmbeddedBroker } from './broker/embedded-broker.service.js';
import { HUB_CONFIG, type HubConfig } from './config/hub-config.js';
import { CountsController } from './counts/counts.controller.js';
import { CountsRepository } from './counts/counts.repository.js';
import { HeadcountService } from './counts/headcount.service.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { EventsController } from './events/events.controller.js';
import { EventsRepository } from './events/events.repository.js';
import { gateControlControllers, gateControlProviders } from './gate-control/gate-control.module.js';
import { DeadLetterService } from './ingest/dead-letter.service.js';
import { DeadLettersController } from './ingest/dead-letters.controller.js';
import { EventBatcher } from './ingest/event-batcher.service.js';
import { EventStore } from './ingest/event-store.service.js';
import { GateStatusService } from './ingest/gate-status.service.js';
import { IngestPipeline } from './ingest/ingest-pipeline.service.js';
import { IngestController } from './ingest/ingest.controller.js';
import { MqttIngestTransport } from './ingest/mqtt-ingest.transport.js';
import { HubMqtt } from './broker/hub-mqtt.service.js';
import { HealthController } from './observability/health.controller.js';
import { MetricsController } from './observability/metrics.controller.js';
import { jsonLogging } from './observability/json-logging.js';
import { MetricsService } from './observability/metrics.service.js';
import { LiveGateway } from './realtime/live.gateway.js';
import { SiteRegistry } from './registry/site-registry.service.js';
import { SitesController } from './registry/sites.controller.js';
import { reportsControllers, reportsProviders } from './reports/reports-wiring.js';
import { watchlistControllers, watchlistProviders } from './watchlist/watchlist-wiring.js';

@Module({})
export class HubModule {
  static forConfig(cfg: HubConfig): DynamicModule {
    return {
      module: HubModule,
      imports: [...(cfg.logFormat === 'json' ? [jsonLogging(cfg)] : []), TypeOrmModule.forRoot(dataSourceOptions(cfg)), ClusterModule.forConfig(cfg), TerminusModule, ...authImports(cfg)],
      controllers: [IngestController, SitesController, CountsController, EventsController, DeadLettersController, HealthController, MetricsController, ...authControllers, ...watchlistControllers, ...reportsControllers, ...gateControlControllers],
      providers: [
        { provide: HUB_CONFIG, useValue: cfg },
        { provide: APP_FILTER, useClass: CodedErrorFilter },
        ...authProviders(cfg),
        ...watchlistProviders,
        ...reportsProviders,
        ...gateControlProviders,
        MetricsService,
        SiteRegistry,
        HeadcountService,
        CountsRepository,
        EventsRepository,
        LiveGateway,
        EventStore,
        EventBatcher,
        DeadLetterService,
        GateStatusService,
        IngestPipeline,
        EmbeddedBroker,
        HubMqtt,
        PayloadLimitWiring,
        MqttIngestTransport,
      ],
    };
  }
}
