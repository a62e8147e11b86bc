import type { Provider, Type } from '@nestjs/common';
import { AlertChecker } from '../alerts/alert-checker.service.js';
import { AlertEscalator } from '../alerts/alert-escalator.service.js';
import { AlertWebhook } from '../alerts/alert-webhook.service.js';
import { AlertRules } from '../alerts/alert-rules.service.js';
import { AlertRulesController, AlertsController } from '../alerts/alerts.controller.js';
import { AlertsRepository } from '../alerts/alerts.repository.js';
import { EventCropController } from '../events/event-crop.controller.js';
import { dataCipherProvider } from '../privacy/data-cipher.provider.js';
import { EdgeMediaService } from '../privacy/edge-media.service.js';
import { PersonDataController } from '../privacy/person-data.controller.js';
import { PersonDataService } from '../privacy/person-data.service.js';
import { RetentionService } from '../privacy/retention.service.js';
import { FaceEnrolment } from './face-enrolment.service.js';
import { FaceModelMigration } from './face-model-migration.service.js';
import { SiteMatchers } from './site-matchers.service.js';
import { WatchlistSyncPublisher } from './watchlist-sync.publisher.js';
import { WatchlistController } from './watchlist.controller.js';
import { WatchlistRepository } from './watchlist.repository.js';
import { WatchlistService } from './watchlist.service.js';

/** Watchlists, alerts and the personal-data services (face crops on the edges included), for HubModule. */
export const watchlistControllers: Type[] = [
  WatchlistController,
  AlertsController,
  AlertRulesController,
  PersonDataController,
  EventCropController,
];

export const watchlistProviders: Provider[] = [
  dataCipherProvider,
  WatchlistRepository,
  FaceEnrolment,
  SiteMatchers,
  WatchlistSyncPublisher,
  FaceModelMigration,
  WatchlistService,
  AlertRules,
  AlertsRepository,
  AlertChecker,
  AlertWebhook,
  AlertEscalator,
  RetentionService,
  PersonDataService,
  EdgeMediaService,
];
