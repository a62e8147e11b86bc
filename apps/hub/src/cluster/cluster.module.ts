import { Global, Module, type DynamicModule } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { AdvisoryLockRepository } from './advisory-lock.repository.js';
import { JobLock } from './job-lock.js';
import { LoginFailures } from './login-failures.js';
import { OnceClaims } from './once-claims.js';
import { RedisConnection } from './redis-connection.js';
import { RevokedSessions } from './revoked-sessions.js';

/** What several hub instances share: the Redis connections, revoked sessions, login failures, the once-only job lock and once-only answers (OnceClaims). */
@Global()
@Module({})
export class ClusterModule {
  static forConfig(cfg: HubConfig): DynamicModule {
    return {
      module: ClusterModule,
      providers: [
        { provide: HUB_CONFIG, useValue: cfg },
        RedisConnection,
        RevokedSessions,
        AdvisoryLockRepository,
        JobLock,
        LoginFailures,
        OnceClaims,
      ],
      exports: [RedisConnection, RevokedSessions, JobLock, LoginFailures, OnceClaims],
    };
  }
}
