import type { Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuditController } from '../audit/audit.controller.js';
import { AuditService } from '../audit/audit.service.js';
import { RedisConnection } from '../cluster/redis-connection.js';
import { RedisThrottlerStorage } from '../cluster/redis-throttler.storage.js';
import type { HubConfig } from '../config/hub-config.js';
import { GateCredentialsController } from '../mqtt-auth/gate-credentials.controller.js';
import { SocketAuth } from '../realtime/socket-auth.service.js';
import { AccessGuard } from './access.guard.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthController } from './auth.controller.js';
import { MetricsScrapeGuard } from './metrics-scrape.guard.js';
import { loadOrCreateSecret } from './secret-file.js';
import { SessionsService } from './sessions.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/** Users, sessions, API keys, gate credentials, the audit log and the global access guard, for HubModule. */
export const authImports = (cfg: HubConfig) => [
  // Login throttling per client: in process, or in Redis when hub instances share REDIS_URL.
  ThrottlerModule.forRootAsync({
    inject: [RedisConnection],
    useFactory: (redis: RedisConnection) => ({
      throttlers: [{ name: 'login', ttl: 60_000, limit: cfg.loginRateLimit }],
      storage: redis.enabled ? new RedisThrottlerStorage(redis) : undefined,
    }),
  }),
];

export const authControllers: Type[] = [AuthController, UsersController, ApiKeysController, GateCredentialsController, AuditController];

export const authProviders = (cfg: HubConfig): Provider[] => [
  { provide: JwtService, useFactory: () => new JwtService({ secret: cfg.jwtSecret ?? loadOrCreateSecret(cfg.jwtSecretFile) }) },
  { provide: APP_GUARD, useClass: AccessGuard },
  AuditService,
  UsersService,
  ApiKeysService,
  SessionsService,
  SocketAuth,
  MetricsScrapeGuard,
];
