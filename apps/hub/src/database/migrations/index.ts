import { InitialSchema1764000000000 } from './1764000000000-initial-schema.js';
import { WatchlistsAlerts1764200000000 } from './1764200000000-watchlists-alerts.js';
import { AuthAndAudit1764100000000 } from './1764100000000-auth-and-audit.js';
import { LaneDecisions1764300000000 } from './1764300000000-lane-decisions.js';
import { DoorAlarmAlerts1764350000000 } from './1764350000000-door-alarm-alerts.js';
import { WatchlistOutbox1764600000000 } from './1764600000000-watchlist-outbox.js';
import { DeadLetterPrivacy1764610000000 } from './1764610000000-dead-letter-privacy.js';
import { EdgeMediaErase1764700000000 } from './1764700000000-edge-media-erase.js';
import { NatsPasswordHash1764810000000 } from './1764810000000-nats-password-hash.js';
import { AlertGrouping1764900000000 } from './1764900000000-alert-grouping.js';
import { MustChangePassword1764950000000 } from './1764950000000-must-change-password.js';
import { SiteSettings1765100000000 } from './1765100000000-site-settings.js';

/** In order; TypeORM records applied ones in `migrations` and runs the rest at start. */
export const hubMigrations = [
  InitialSchema1764000000000,
  AuthAndAudit1764100000000,
  WatchlistsAlerts1764200000000,
  LaneDecisions1764300000000,
  DoorAlarmAlerts1764350000000,
  WatchlistOutbox1764600000000,
  DeadLetterPrivacy1764610000000,
  EdgeMediaErase1764700000000,
  NatsPasswordHash1764810000000,
  AlertGrouping1764900000000,
  MustChangePassword1764950000000,
  SiteSettings1765100000000,
];
