import { ApiKeyEntity } from './api-key.entity.js';
import { AuditEntryEntity } from './audit-entry.entity.js';
import { CountMinuteEntity } from './count-minute.entity.js';
import { DeadLetterEntity } from './dead-letter.entity.js';
import { EdgeMediaEraseEntity } from './edge-media-erase.entity.js';
import { GateEventEntity } from './gate-event.entity.js';
import { GateEntity } from './gate.entity.js';
import { MqttCredentialEntity } from './mqtt-credential.entity.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { SiteEntity } from './site.entity.js';
import { UserEntity } from './user.entity.js';
import { ZoneEntity } from './zone.entity.js';
import { AlertRuleEntity } from './alert-rule.entity.js';
import { AlertEntity, AlertSightingEntity } from './alert.entity.js';
import { WatchlistEntryEntity } from './watchlist-entry.entity.js';
import { WatchlistSyncEntity } from './watchlist-sync.entity.js';
import { WatchlistOutboxEntity } from './watchlist-outbox.entity.js';
import { WatchlistTemplateEntity } from './watchlist-template.entity.js';

export {
  AlertEntity,
  AlertSightingEntity,
  AlertRuleEntity,
  WatchlistEntryEntity,
  WatchlistOutboxEntity,
  WatchlistSyncEntity,
  WatchlistTemplateEntity,
};
const watchlistEntities = [
  WatchlistEntryEntity,
  WatchlistTemplateEntity,
  WatchlistSyncEntity,
  WatchlistOutboxEntity,
  AlertEntity,
  AlertSightingEntity,
  AlertRuleEntity,
];

export { ApiKeyEntity, AuditEntryEntity, MqttCredentialEntity, RefreshTokenEntity, UserEntity };
export { CountMinuteEntity, DeadLetterEntity, EdgeMediaEraseEntity, GateEventEntity, GateEntity, SiteEntity, ZoneEntity };
export const hubEntities = [
  ...watchlistEntities,
  SiteEntity,
  ZoneEntity,
  GateEntity,
  GateEventEntity,
  CountMinuteEntity,
  DeadLetterEntity,
  EdgeMediaEraseEntity,
  UserEntity,
  RefreshTokenEntity,
  ApiKeyEntity,
  MqttCredentialEntity,
  AuditEntryEntity,
];
