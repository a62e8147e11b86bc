import { z } from 'zod';

const days = (d: number) => z.coerce.number().min(0).max(36_500).default(d);

/** Watchlist, alert and privacy settings (merged into HubConfigSchema). */
export const PrivacyConfigShape = {
  /**
   * AES-256-GCM data keys as `kid:base64[,kid:base64…]`, the first one current (older ones only
   * decrypt). Unset: read from dataKeyFile, which is created with a fresh key at first start.
   */
  dataKeys: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/=]{43,44}(,[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/=]{43,44})*$/,
      'HUB_DATA_KEY must be kid:base64(32 bytes)[,…]',
    )
    .optional(),
  dataKeyFile: z.string().default('./data/hub-data-keys.json'),
  /** HMAC-SHA256 key for CCCD numbers (base64, 32 bytes), shared with the edges; else from the key file. */
  idHmacKey: z
    .string()
    .regex(/^[A-Za-z0-9+/=]{43,44}$/, 'HUB_ID_HMAC_KEY must be base64 of 32 bytes')
    .optional(),
  /** Cosine threshold of a 1:N face alert; unset: the embedder's calibrated threshold (models/manifest.json). */
  faceMatchThreshold: z.coerce.number().min(0).max(1).optional(),
  /** Retention (days; 0 keeps forever): whole events, identity blocks and crop references of events, closed alerts, audit rows. */
  retentionEventsDays: days(365),
  retentionIdentityDays: days(30),
  retentionCropsDays: days(30),
  retentionAlertsDays: days(365),
  retentionAuditDays: days(730),
  /** Refused MQTT messages keep a payload excerpt, which may hold an identity block. */
  retentionDeadLettersDays: days(30),
  /** How long a face-crop request waits for the edge that keeps the crop before answering 504 (ms). */
  cropTimeoutMs: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** A person-erase's order to an edge is sent again this often until the edge acknowledges (seconds). */
  edgeEraseRetryS: z.coerce.number().min(0.2).max(3_600).default(30),
  /** How long a person-erase waits for the edges' acknowledgements before answering (ms; later ones are audited). */
  edgeEraseWaitMs: z.coerce.number().int().min(0).max(60_000).default(3_000),
  /** How often the retention job runs (minutes; 0 = never, e.g. in tests). */
  retentionIntervalMin: z.coerce.number().int().min(0).max(10_080).default(60),
};

export function privacyConfigFromEnv(env: NodeJS.ProcessEnv) {
  return {
    dataKeys: env.HUB_DATA_KEY || undefined,
    dataKeyFile: env.HUB_DATA_KEY_FILE || undefined,
    idHmacKey: env.HUB_ID_HMAC_KEY || undefined,
    faceMatchThreshold: env.HUB_FACE_MATCH_THRESHOLD || undefined,
    retentionEventsDays: env.HUB_RETENTION_EVENTS_DAYS || undefined,
    retentionIdentityDays: env.HUB_RETENTION_IDENTITY_DAYS || undefined,
    retentionCropsDays: env.HUB_RETENTION_CROPS_DAYS || undefined,
    retentionAlertsDays: env.HUB_RETENTION_ALERTS_DAYS || undefined,
    retentionAuditDays: env.HUB_RETENTION_AUDIT_DAYS || undefined,
    retentionDeadLettersDays: env.HUB_RETENTION_DEAD_LETTERS_DAYS || undefined,
    retentionIntervalMin: env.HUB_RETENTION_INTERVAL_MIN || undefined,
    cropTimeoutMs: env.HUB_CROP_TIMEOUT_MS || undefined,
    edgeEraseRetryS: env.HUB_EDGE_ERASE_RETRY_S || undefined,
    edgeEraseWaitMs: env.HUB_EDGE_ERASE_WAIT_MS || undefined,
  };
}
