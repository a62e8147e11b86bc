import { z } from 'zod';

/** The hub's authentication settings (merged into HubConfigSchema). */
export const AuthConfigShape = {
  /** First start: the admin created when no admin exists. Unset: a one-time password is printed. */
  adminUsername: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{1,62}$/)
    .optional(),
  adminPassword: z.string().min(12, 'HUB_ADMIN_PASSWORD needs at least 12 characters').optional(),
  /** JWT signing key (≥ 32 chars); else read from jwtSecretFile, generated there when missing. */
  jwtSecret: z.string().min(32, 'HUB_JWT_SECRET needs at least 32 characters').optional(),
  jwtSecretFile: z.string().default('./data/hub-jwt.key'),
  accessTokenTtlS: z.coerce.number().int().min(10).max(86_400).default(900),
  refreshTokenTtlS: z.coerce
    .number()
    .int()
    .min(60)
    .max(90 * 86_400)
    .default(7 * 86_400),
  /** Login attempts per client IP per minute. */
  loginRateLimit: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Failed logins in a row before a username is locked; each further failure doubles the lock. */
  loginLockoutThreshold: z.coerce.number().int().min(1).max(100).default(5),
  loginLockoutBaseS: z.coerce.number().int().min(1).max(86_400).default(30),
  /**
   * The slower back-off per account over all addresses (a guess spread over many addresses): after this
   * many failures for one username, from any address, each attempt from an address that has never
   * signed in as that user waits its turn, `loginBackoffBaseS` doubling per further failure, at most
   * `loginBackoffMaxS`. Addresses the user signed in from (within 30 days) are not slowed.
   */
  loginBackoffThreshold: z.coerce.number().int().min(1).max(10_000).default(20),
  loginBackoffBaseS: z.coerce.number().int().min(1).max(3600).default(1),
  loginBackoffMaxS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Prometheus: with a token, /metrics needs `Authorization: Bearer <token>`; without, loopback only. */
  metricsToken: z.string().min(16).optional(),
  /** PEM CA to verify an external broker's certificate (mqtts://). */
  mqttCaFile: z.string().optional(),
  /** TLS for the embedded broker: both set → it listens with TLS (mqtts://) instead of plain TCP. */
  embeddedMqttTlsCert: z.string().optional(),
  embeddedMqttTlsKey: z.string().optional(),
};

export function authConfigFromEnv(env: NodeJS.ProcessEnv) {
  return {
    adminUsername: env.HUB_ADMIN_USERNAME || undefined,
    adminPassword: env.HUB_ADMIN_PASSWORD || undefined,
    jwtSecret: env.HUB_JWT_SECRET || undefined,
    jwtSecretFile: env.HUB_JWT_SECRET_FILE || undefined,
    accessTokenTtlS: env.HUB_ACCESS_TOKEN_TTL_S || undefined,
    refreshTokenTtlS: env.HUB_REFRESH_TOKEN_TTL_S || undefined,
    loginRateLimit: env.HUB_LOGIN_RATE_LIMIT || undefined,
    loginLockoutThreshold: env.HUB_LOGIN_LOCKOUT_THRESHOLD || undefined,
    loginLockoutBaseS: env.HUB_LOGIN_LOCKOUT_BASE_S || undefined,
    loginBackoffThreshold: env.HUB_LOGIN_BACKOFF_THRESHOLD || undefined,
    loginBackoffBaseS: env.HUB_LOGIN_BACKOFF_BASE_S || undefined,
    loginBackoffMaxS: env.HUB_LOGIN_BACKOFF_MAX_S || undefined,
    metricsToken: env.HUB_METRICS_TOKEN || undefined,
    mqttCaFile: env.MQTT_CA_FILE || undefined,
    embeddedMqttTlsCert: env.EMBEDDED_MQTT_TLS_CERT || undefined,
    embeddedMqttTlsKey: env.EMBEDDED_MQTT_TLS_KEY || undefined,
  };
}
