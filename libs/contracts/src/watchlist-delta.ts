import { z } from 'zod';
import { IdSchema, IsoTimeSchema } from './ids.js';

export const SeveritySchema = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof SeveritySchema>;

/** What an edge needs to check a person offline: never names or clear-text ID numbers. */
export const WatchlistEdgeEntrySchema = z.strictObject({
  entryId: z.string().min(1).max(64),
  listKind: z.enum(['watchlist', 'allowlist']),
  severity: SeveritySchema,
  /** HMAC-SHA256 of the CCCD number with the site's matching key, hex. */
  idNumberHmac: z
    .string()
    .regex(/^[a-f0-9]{64}$/)
    .optional(),
  /** Face templates, base64 float32, L2-normalised. */
  templates: z.array(z.base64().max(8192)).max(16).default([]),
  faceModel: z.string().max(64).optional(),
  validFrom: IsoTimeSchema.optional(),
  validUntil: IsoTimeSchema.optional(),
});
export type WatchlistEdgeEntry = z.infer<typeof WatchlistEdgeEntrySchema>;

/** Hub → edge, ordered by `seq`; an edge that sees a gap asks for a full sync. */
export const WatchlistDeltaSchema = z.strictObject({
  siteId: IdSchema,
  seq: z.number().int().min(0),
  full: z.boolean().default(false),
  issuedAt: IsoTimeSchema,
  upserts: z.array(WatchlistEdgeEntrySchema).max(10_000).default([]),
  removes: z.array(z.string().min(1).max(64)).max(10_000).default([]),
  /**
   * A full snapshot too large for one message comes in parts 1…parts with the same seq; the edge
   * replaces its cache once it holds all of them.
   */
  part: z.number().int().min(1).optional(),
  parts: z.number().int().min(1).optional(),
});
export type WatchlistDelta = z.infer<typeof WatchlistDeltaSchema>;

/**
 * Edge → hub on `topics.gateWatchlistResync`: sent at every (re)connect and on a seq gap. The hub
 * answers with a full snapshot on the site's watchlist topic unless `haveSeq` is already current.
 */
export const WatchlistResyncRequestSchema = z.strictObject({
  siteId: IdSchema,
  gateId: IdSchema,
  /** -1: nothing cached. */
  haveSeq: z.number().int().min(-1),
  requestedAt: IsoTimeSchema,
});
export type WatchlistResyncRequest = z.infer<typeof WatchlistResyncRequestSchema>;
