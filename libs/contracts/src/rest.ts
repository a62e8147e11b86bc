import { z } from 'zod';
import { DirectionSchema, EventSourceSchema } from './gate-event.js';
import { IdSchema, IsoTimeSchema } from './ids.js';

export const BUCKETS = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export const BucketSchema = z.enum(Object.keys(BUCKETS) as [keyof typeof BUCKETS, ...(keyof typeof BUCKETS)[]]);
export type Bucket = z.infer<typeof BucketSchema>;

/** GET /api/counts — counts over a time range, in buckets aligned to the local day. */
export const CountsQuerySchema = z
  .strictObject({
    siteId: IdSchema,
    zoneId: IdSchema.optional(),
    gateId: IdSchema.optional(),
    from: IsoTimeSchema,
    to: IsoTimeSchema,
    bucket: BucketSchema.default('1h'),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: '`from` must be before `to`', path: ['from'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { message: 'range is at most 366 days', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / BUCKETS[q.bucket] <= 20_000, {
    message: 'too many buckets: choose a larger bucket or a shorter range',
    path: ['bucket'],
  });
export type CountsQuery = z.infer<typeof CountsQuerySchema>;

export const CountBucketSchema = z.object({ start: IsoTimeSchema, entries: z.number().int(), exits: z.number().int() });
export const CountsResponseSchema = z.object({
  siteId: IdSchema,
  zoneId: IdSchema.optional(),
  gateId: IdSchema.optional(),
  bucket: BucketSchema,
  totals: z.object({ entries: z.number().int(), exits: z.number().int() }),
  buckets: z.array(CountBucketSchema),
});
export type CountsResponse = z.infer<typeof CountsResponseSchema>;

/** GET /api/events — newest first, keyset-paged with an opaque cursor. */
export const EventSearchQuerySchema = z.strictObject({
  siteId: IdSchema.optional(),
  zoneId: IdSchema.optional(),
  gateId: IdSchema.optional(),
  direction: DirectionSchema.optional(),
  source: EventSourceSchema.optional(),
  from: IsoTimeSchema.optional(),
  to: IsoTimeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
  /** A lane's decision: let through, refused, decided by an operator; `none`: a camera count without a decision. */
  outcome: z.enum(['open', 'deny', 'review', 'none']).optional(),
  /** Search by person: a 12-digit CCCD number, or (part of) a name. Admin and security, one site, audited. */
  person: z.string().trim().min(2).max(100).optional(),
});
export type EventSearchQuery = z.infer<typeof EventSearchQuerySchema>;

export const EventRowSchema = z.object({
  eventId: z.string(),
  siteId: IdSchema,
  zoneId: IdSchema,
  gateId: IdSchema,
  laneId: IdSchema.nullable(),
  direction: DirectionSchema,
  source: EventSourceSchema,
  occurredAt: IsoTimeSchema,
  receivedAt: IsoTimeSchema,
  hasIdentity: z.boolean(),
  /** The lane's decision (null: a counted crossing with no check) and its machine reasons. */
  outcome: z.enum(['open', 'deny', 'review']).nullable(),
  reasons: z.array(z.string()),
  method: z.string().nullable(),
  hasCrop: z.boolean(),
});
export type EventRow = z.infer<typeof EventRowSchema>;
/** `scanned`: a name search looked through this many events with an identity and stopped (narrow the range for the rest). */
export const EventPageSchema = z.object({
  items: z.array(EventRowSchema),
  nextCursor: z.string().nullable(),
  scanned: z.number().int().optional(),
});
/** GET /api/events/:eventId — one event; `identity` only for the roles that may see it (audited). */
export const EventDetailSchema = EventRowSchema.extend({
  review: z.object({ verdict: z.string(), by: z.string(), reason: z.string() }).nullable(),
  watchlist: z.object({ listKind: z.string(), severity: z.string().nullable(), by: z.string() }).nullable(),
  identity: z
    .object({
      fullName: z.string().nullable(),
      idNumber: z.string().nullable(),
      dateOfBirth: z.string().nullable(),
      matchScore: z.number().nullable(),
      livenessScore: z.number().nullable(),
    })
    .nullable(),
  identityHidden: z.boolean(),
});
export type EventDetail = z.infer<typeof EventDetailSchema>;
export type EventPage = z.infer<typeof EventPageSchema>;

/** Sites, zones and gates as the hub knows them (GET /api/sites). */
export const GateInfoSchema = z.object({
  gateId: IdSchema,
  zoneId: IdSchema,
  name: z.string(),
  online: z.boolean(),
  /** The gate's cameras as the sites file lists them (empty: the wall takes them from the gate's status). */
  cameras: z.array(IdSchema),
});
export const ZoneInfoSchema = z.object({ zoneId: IdSchema, name: z.string(), capacity: z.number().int().nullable() });
export const SiteInfoSchema = z.object({
  siteId: IdSchema,
  name: z.string(),
  kind: z.enum(['tourist', 'industrial', 'station']),
  capacity: z.number().int().nullable(),
  /** Share of a capacity at which occupancy is a crowd warning. */
  crowdWarnAt: z.number(),
  location: z.object({ lat: z.number(), lon: z.number() }).nullable(),
  zones: z.array(ZoneInfoSchema),
  gates: z.array(GateInfoSchema),
  /** Whether the caller may watch this site's live camera tiles (the site's `liveCameras` setting). */
  liveCameras: z.boolean(),
});
export type SiteInfo = z.infer<typeof SiteInfoSchema>;
