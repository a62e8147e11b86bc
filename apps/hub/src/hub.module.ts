import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TerminusModule } from '@nestjs/terminus';
import { CodedErrorFilter } from './http/coded-error.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommittedEventsAlerts } from './alerts/committed-events.listener.js';
import { authControllers, authImports, authProviders } from './auth/auth-wiring.js';
import { PayloadLimitWiring } from './broker/payload-limit.wiring.js';
import { ClusterModule } from './cluster/cluster.module.js';
import { EmbeddedBroker } from './broker/embedded-broker.service.js';
import { HUB_CONFIG, type HubConfig } from './config/hub-config.js';
import { CountsController } from './counts/counts.controller.js';
import { CountsRepository } from './counts/counts.repository.js';
import { HeadcountService } from './counts/headcount.service.js';
import { CommitLock } from './database/commit-lock.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { EventsController } from './events/events.controller.js';
import { EventsRepository } from './events/events.repository.js';
import { gateControlControllers, gateControlProviders } from './gate-control/gate-control.module.js';
import { DeadLetterService } from './ingest/dead-letter.service.js';
import { DeadLettersController } from './ingest/dead-letters.controller.js';
import { EventBatcher } from './ingest/event-batcher.service.js';
import { EventStore } from './ingest/event-store.service.js';
import { IngestRepository } from './ingest/ingest.repository.js';
import { GateStatusService } from './ingest/gate-status.service.js';
import { IngestPipeline } from './ingest/ingest-pipeline.service.js';
import { IngestController } from './ingest/ingest.controller.js';
import { MqttIngestTransport } from './ingest/mqtt-ingest.transport.js';
import { hubMqttProvider } from './broker/hub-mqtt.provider.js';
import { HealthController } from './observability/health.controller.js';
import { MetricsController } from './observability/metrics.controller.js';
import { jsonLogging } from './observability/json-logging.js';
import { IngestBacklog } from './observability/ingest-backlog.js';
import { IngestMetrics } from './observability/ingest-metrics.listener.js';
import { MetricsService } from './observability/metrics.service.js';
import { LiveGateway } from './realtime/live.gateway.js';
import { SiteRegistry } from './registry/site-registry.service.js';
import { SitesController } from './registry/sites.controller.js';
import { SiteSettingsController } from './registry/site-settings.controller.js';
import { SiteSettingsService } from './registry/site-settings.service.js';
import { SitesRepository } from './registry/sites.repository.js';
import { clockProvider } from './time/clock.js';
import { RetentionRepository } from './privacy/retention.repository.js';
import { reportsControllers, reportsProviders } from './reports/reports-wiring.js';
import { watchlistControllers, watchlistProviders } from './watchlist/watchlist-wiring.js';

@Module({})
export class HubModule {
  static forConfig(cfg: HubConfig): DynamicModule {
    return {
      module: HubModule,
      imports: [
        ...(cfg.logFormat === 'json' ? [jsonLogging(cfg)] : []),
        TypeOrmModule.forRoot(dataSourceOptions(cfg)),
        ClusterModule.forConfig(cfg),
        TerminusModule,
        EventEmitterModule.forRoot(),
        ...authImports(cfg),
      ],
      controllers: [
        IngestController,
        SitesController,
        SiteSettingsController,
        CountsController,
        EventsController,
        DeadLettersController,
        HealthController,
        MetricsController,
        ...authControllers,
        ...watchlistControllers,
        ...reportsControllers,
        ...gateControlControllers,
      ],
      providers: [
        { provide: HUB_CONFIG, useValue: cfg },
        { provide: APP_FILTER, useClass: CodedErrorFilter },
        clockProvider,
        RetentionRepository,
        ...authProviders(cfg),
        ...watchlistProviders,
        ...reportsProviders,
        ...gateControlProviders,
        MetricsService,
        SiteRegistry,
        SitesRepository,
        SiteSettingsService,
        HeadcountService,
        CountsRepository,
        EventsRepository,
        LiveGateway,
        CommitLock,
        IngestRepository,
        EventStore,
        EventBatcher,
        { provide: IngestBacklog, useExisting: EventBatcher },
        IngestMetrics,
        CommittedEventsAlerts,
        DeadLetterService,
        GateStatusService,
        IngestPipeline,
        EmbeddedBroker,
        hubMqttProvider,
        PayloadLimitWiring,
        MqttIngestTransport,
      ],
    };
  }
}
