import { isIP } from 'node:net';
import { z } from 'zod';
import { describeSchemaError } from '../../../../libs/contracts/src/index.js';
import { BrokerUrlSchema, brokerListIssues } from '../../../../libs/config/src/broker-urls.js';
import { ConfigError } from '../../../../libs/config/src/load-yaml-config.js';
import { PrivacyConfigShape, privacyConfigFromEnv } from './privacy-config.js';
import { AuthConfigShape, authConfigFromEnv } from './auth-config.js';

const TRUST_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Everything the hub reads from its environment, validated once at start. */
export const HubConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  host: z.string().default('127.0.0.1'),
  /** postgres://… for PostgreSQL; unset for the embedded SQLite file. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  sqlitePath: z.string().default('./data/hub.db'),
  /**
   * External broker (Mosquitto, NATS, EMQX): one URL, or the nodes of one cluster separated by commas
   * (each new connection attempt goes to the next); unset starts the embedded aedes broker.
   */
  mqttUrl: z
    .string()
    .superRefine((s, ctx) => {
      const urls = s.split(',').map((u) => u.trim());
      let ok = true;
      urls.forEach((u, i) => {
        const r = BrokerUrlSchema(urls.length > 1 ? `MQTT_URL's node ${i + 1}` : 'MQTT_URL', 'MQTT_USERNAME/MQTT_PASSWORD').safeParse(u);
        if (!r.success) {
          ok = false;
          for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
        }
      });
      if (ok) for (const { message } of brokerListIssues(urls, 'MQTT_URL')) ctx.addIssue({ code: 'custom', message });
    })
    .optional(),
  mqttUsername: z.string().optional(),
  mqttPassword: z.string().optional(),
  embeddedMqttPort: z.coerce.number().int().min(0).max(65535).default(1883),
  /** Like HOST, loopback unless told: gates on other machines need EMBEDDED_MQTT_HOST=0.0.0.0 (or the LAN address). */
  embeddedMqttHost: z.string().default('127.0.0.1'),
  /**
   * Connections consuming events from an external broker; registered gates are split over them, each
   * a persistent session with plain subscriptions (restored by Mosquitto after its own restart).
   */
  ingestClients: z.coerce.number().int().min(1).max(64).default(8),
  /**
   * The oldest `occurredAt` accepted (days before the hub's clock): an edge's offline backlog must
   * arrive within this. Never more than the events' retention, so an event old enough to have been
   * purged cannot be stored (and counted) again.
   */
  eventMaxAgeDays: z.coerce.number().min(0.01).max(3650).default(30),
  /** How far ahead of the hub's clock an `occurredAt` may be (edge clock skew), seconds. */
  eventMaxFutureS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Browser origins besides the hub's own allowed to open a socket (comma-separated, e.g. a separate web host). */
  socketOrigins: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /**
   * Use one shared subscription ($share/<group>/…) instead, so several hub instances split the load.
   * Mosquitto 2.0 does not restore shared subscriptions from persistence: events gates resend right
   * after a broker restart, before the hub resubscribes, are dropped. See README, "Scaling the hub".
   */
  ingestShared: z.union([z.boolean(), z.stringbool()]).default(false),
  /** Shared-subscription group; all hub instances of one deployment use the same one. */
  ingestGroup: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/)
    .default('hub'),
  /** Names this instance's broker sessions (`cg-<id>-ingest-<n>`); unique per hub instance. */
  instanceId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .default('hub'),
  /**
   * redis://… shared by every hub instance of a deployment: Socket.IO across instances, revoked
   * sessions, login throttling. Unset on a single box (all of it stays in process).
   */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// or rediss:// URL')
    .optional(),
  /**
   * The reverse proxies / load balancers in front of the hub whose X-Forwarded-For is believed
   * (Express "trust proxy"): comma-separated addresses or CIDRs, or `loopback`, `linklocal`,
   * `uniquelocal`. Unset (the default): none, and the client address is the TCP peer's. Behind
   * deploy/nginx/hub-lb.conf it must name the balancer, or login lockout, throttling and the audit
   * log all see the balancer's address instead of the client's.
   */
  trustProxy: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .superRefine((list, ctx) => {
      for (const x of list)
        if (!TRUST_KEYWORDS.has(x) && !isIP(x.replace(/\/\d{1,3}$/, '')))
          ctx.addIssue({
            code: 'custom',
            message: `HUB_TRUST_PROXY: "${x}" is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal`,
          });
    }),
  /** Exports and report summaries (HeavyRead routes) one user may run at once; more get a 429 `heavy_read_busy`. */
  heavyReadsPerUser: z.coerce.number().int().min(1).max(100).default(2),
  /** …and all users together (all instances sharing REDIS_URL, else this one): ingest and /health keep their share of the database and CPU. */
  heavyReadsTotal: z.coerce.number().int().min(1).max(1000).default(4),
  /** With REDIS_URL (limits shared by the instances): a slot of a hub that stopped renewing it (crashed) is free after this many seconds. */
  heavyReadSlotTtlS: z.coerce.number().int().min(1).max(3600).default(30),
  sitesFile: z.string().default('config/demo/sites.yaml'),
  /** Gate commands (open, review verdict, CAN) expire this long after they are issued; the edge refuses them after. */
  commandTtlSeconds: z.coerce.number().int().min(2).max(300).default(10),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** `json`: one JSON object per line (pino), with a request id per HTTP request; `text`: Nest's console lines. */
  logFormat: z.enum(['text', 'json']).default('text'),
  /** Sightings of one watchlist entry at a site within this many minutes of the last fold into one alert (a site's alert rule may override). */
  alertGroupWindowMinutes: z.coerce.number().min(0).max(1440).default(10),
  /** A critical alert nobody acknowledged this many minutes after it was raised escalates (0: never; a site's rule may override). */
  alertEscalateMinutes: z.coerce.number().min(0).max(1440).default(5),
  /** Where escalations are POSTed (a site's rule may name its own). */
  alertWebhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Key of the webhook's HMAC-SHA256 signature (X-Cong-Signature); at least 16 characters. */
  alertWebhookSecret: z.string().min(16, 'ALERT_WEBHOOK_SECRET must be at least 16 characters').optional(),
  ...PrivacyConfigShape,
  ...AuthConfigShape,
});
export type HubConfig = z.infer<typeof HubConfigSchema>;

/** The external broker's node URLs (one for a single broker; empty: the embedded broker). */
export const hubBrokerUrls = (cfg: Pick<HubConfig, 'mqttUrl'>): string[] =>
  cfg.mqttUrl ? cfg.mqttUrl.split(',').map((u) => u.trim()) : [];

export function hubConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<HubConfig> = {}): HubConfig {
  const r = HubConfigSchema.safeParse({
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL || undefined,
    sqlitePath: env.SQLITE_PATH,
    mqttUrl: env.MQTT_URL || undefined,
    mqttUsername: env.MQTT_USERNAME,
    mqttPassword: env.MQTT_PASSWORD,
    embeddedMqttPort: env.EMBEDDED_MQTT_PORT,
    embeddedMqttHost: env.EMBEDDED_MQTT_HOST,
    ingestClients: env.HUB_INGEST_CLIENTS,
    eventMaxAgeDays: env.HUB_EVENT_MAX_AGE_DAYS || undefined,
    eventMaxFutureS: env.HUB_EVENT_MAX_FUTURE_S || undefined,
    socketOrigins: env.HUB_SOCKET_ORIGINS || undefined,
    ingestGroup: env.HUB_INGEST_GROUP,
    ingestShared: env.HUB_INGEST_SHARED,
    instanceId: env.HUB_INSTANCE_ID,
    redisUrl: env.REDIS_URL || undefined,
    trustProxy: env.HUB_TRUST_PROXY || undefined,
    heavyReadsPerUser: env.HUB_HEAVY_READS_PER_USER || undefined,
    heavyReadsTotal: env.HUB_HEAVY_READS_TOTAL || undefined,
    heavyReadSlotTtlS: env.HUB_HEAVY_READ_SLOT_TTL_S || undefined,
    sitesFile: env.HUB_SITES_FILE,
    commandTtlSeconds: env.HUB_COMMAND_TTL_SECONDS,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT || undefined,
    alertGroupWindowMinutes: env.ALERT_GROUP_WINDOW_MINUTES || undefined,
    alertEscalateMinutes: env.ALERT_ESCALATE_MINUTES || undefined,
    alertWebhookUrl: env.ALERT_WEBHOOK_URL || undefined,
    alertWebhookSecret: env.ALERT_WEBHOOK_SECRET || undefined,
    ...privacyConfigFromEnv(env),
    ...authConfigFromEnv(env),
    ...overrides,
  });
  if (!r.success) throw new ConfigError(`hub configuration is invalid: ${describeSchemaError(r.error)}`);
  if (r.data.alertWebhookUrl && !r.data.alertWebhookSecret)
    throw new ConfigError('hub configuration is invalid: ALERT_WEBHOOK_URL is set without ALERT_WEBHOOK_SECRET (escalations are signed)');
  return r.data;
}

export const HUB_CONFIG = Symbol('HUB_CONFIG');
