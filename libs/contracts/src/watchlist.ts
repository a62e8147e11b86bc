import { z } from 'zod';
import { IdSchema, IsoTimeSchema } from './ids.js';
import { SeveritySchema } from './watchlist-delta.js';

/** watchlist: wanted persons (alerts); allowlist: enrolled workers/contractors a gate admits. */
export const ListKindSchema = z.enum(['watchlist', 'allowlist']);
export type ListKind = z.infer<typeof ListKindSchema>;

export const CccdNumberSchema = z.string().regex(/^\d{12}$/, 'idNumber must be the 12-digit CCCD number');

const validity = {
  validFrom: IsoTimeSchema.optional(),
  validUntil: IsoTimeSchema.optional(),
};
const validWindow = (v: { validFrom?: string; validUntil?: string }) =>
  !v.validFrom || !v.validUntil || Date.parse(v.validFrom) < Date.parse(v.validUntil);

/** POST /api/sites/:siteId/watchlist — photos are base64 JPEG/PNG/WebP, each enrolled through the face pipeline. */
export const WatchlistEntryCreateSchema = z
  .strictObject({
    listKind: ListKindSchema.default('watchlist'),
    fullName: z.string().trim().min(1).max(200),
    idNumber: CccdNumberSchema.optional(),
    reason: z.string().max(500).default(''),
    severity: SeveritySchema.default('high'),
    /** Where the entry comes from: "manual", a wanted-list reference, an import file. */
    source: z.string().min(1).max(100).default('manual'),
    ...validity,
    photos: z.array(z.base64().max(8_000_000)).max(8).default([]),
  })
  .refine(validWindow, { message: '`validFrom` must be before `validUntil`', path: ['validFrom'] });
export type WatchlistEntryCreate = z.infer<typeof WatchlistEntryCreateSchema>;

/** PATCH /api/sites/:siteId/watchlist/:entryId — any field but the site; `photos` are added to the entry's. */
export const WatchlistEntryUpdateSchema = z.strictObject({
  listKind: ListKindSchema.optional(),
  fullName: z.string().trim().min(1).max(200).optional(),
  idNumber: CccdNumberSchema.nullable().optional(),
  reason: z.string().max(500).optional(),
  severity: SeveritySchema.optional(),
  source: z.string().min(1).max(100).optional(),
  validFrom: IsoTimeSchema.nullable().optional(),
  validUntil: IsoTimeSchema.nullable().optional(),
  photos: z.array(z.base64().max(8_000_000)).max(8).optional(),
});
export type WatchlistEntryUpdate = z.infer<typeof WatchlistEntryUpdateSchema>;

export const WatchlistListQuerySchema = z.strictObject({
  siteId: IdSchema,
  listKind: ListKindSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type WatchlistListQuery = z.infer<typeof WatchlistListQuerySchema>;

export const WatchlistEntryViewSchema = z.object({
  entryId: z.string(),
  siteId: IdSchema,
  listKind: ListKindSchema,
  fullName: z.string(),
  /** Masked for lists (`0010******45`); the clear number only through the person export. */
  idNumberMasked: z.string().nullable(),
  reason: z.string(),
  severity: SeveritySchema,
  source: z.string(),
  validFrom: IsoTimeSchema.nullable(),
  validUntil: IsoTimeSchema.nullable(),
  templateCount: z.number().int(),
  createdAt: IsoTimeSchema,
  createdBy: z.string(),
  updatedAt: IsoTimeSchema,
  updatedBy: z.string(),
});
export type WatchlistEntryView = z.infer<typeof WatchlistEntryViewSchema>;

export const WatchlistPageSchema = z.object({ items: z.array(WatchlistEntryViewSchema), total: z.number().int() });
export type WatchlistPage = z.infer<typeof WatchlistPageSchema>;

/**
 * Why a photo was refused: `no-face`, `multiple-faces`, `quality` (with the pipeline's reasons, e.g.
 * blurred, pose-yaw), `image` (not decodable: with the decoder's code).
 */
export const EnrolmentRefusalSchema = z.enum(['no-face', 'multiple-faces', 'quality', 'image']);
export const EnrolmentPhotoResultSchema = z.object({
  index: z.number().int(),
  accepted: z.boolean(),
  refusal: EnrolmentRefusalSchema.optional(),
  /** Human-readable reason, e.g. "2 faces in the photo: one person per photo". */
  reason: z.string().optional(),
});
export type EnrolmentPhotoResult = z.infer<typeof EnrolmentPhotoResultSchema>;

export const WatchlistEnrolResultSchema = z.object({
  entry: WatchlistEntryViewSchema,
  photos: z.array(EnrolmentPhotoResultSchema),
});
export type WatchlistEnrolResult = z.infer<typeof WatchlistEnrolResultSchema>;

/** Bulk import: one line per CSV row (row 1 is the header, data starts at 2). */
export const WatchlistImportRowSchema = z.object({
  row: z.number().int(),
  status: z.enum(['imported', 'rejected']),
  entryId: z.string().optional(),
  reason: z.string().optional(),
});
export type WatchlistImportRow = z.infer<typeof WatchlistImportRowSchema>;
export const WatchlistImportReportSchema = z.object({
  siteId: IdSchema,
  imported: z.number().int(),
  rejected: z.number().int(),
  rows: z.array(WatchlistImportRowSchema),
});
export type WatchlistImportReport = z.infer<typeof WatchlistImportReportSchema>;

/** The CSV columns of a bulk import; `photos` names files in the folder/zip, separated by `;`. */
export const WATCHLIST_CSV_COLUMNS = [
  'full_name',
  'id_number',
  'reason',
  'severity',
  'list_kind',
  'valid_from',
  'valid_until',
  'source',
  'photos',
] as const;

/** POST /api/privacy/person-export and person-erase: everything held about one CCCD number. */
export const PersonRequestSchema = z.strictObject({ idNumber: CccdNumberSchema, siteId: IdSchema.optional() });
export type PersonRequest = z.infer<typeof PersonRequestSchema>;

/** POST /api/privacy/person-search (admin): who the hub holds under a name (accents and case ignored), to pick the CCCD number to export or erase. */
export const PersonSearchRequestSchema = z.strictObject({ name: z.string().trim().min(2).max(100), siteId: IdSchema.optional() });
export type PersonSearchRequest = z.infer<typeof PersonSearchRequestSchema>;
export const PersonSearchResultSchema = z.object({
  people: z.array(
    z.object({
      idNumber: z.string(),
      fullName: z.string(),
      siteIds: z.array(z.string()),
      watchlistEntries: z.number().int(),
      events: z.number().int(),
    }),
  ),
  /** Events with an identity read for this search (newest first); `complete`: every one was read. */
  scannedEvents: z.number().int(),
  complete: z.boolean(),
});
export type PersonSearchResult = z.infer<typeof PersonSearchResultSchema>;

export const PersonExportSchema = z.object({
  idNumber: z.string(),
  exportedAt: IsoTimeSchema,
  watchlistEntries: z.array(WatchlistEntryViewSchema.extend({ idNumber: z.string().nullable() })),
  events: z.array(
    z.object({
      eventId: z.string(),
      siteId: z.string(),
      gateId: z.string(),
      occurredAt: IsoTimeSchema,
      identity: z.record(z.string(), z.unknown()),
    }),
  ),
  alerts: z.array(z.record(z.string(), z.unknown())),
  /** Messages the hub refused whose payload held the number (decrypted excerpts). */
  deadLetters: z.array(
    z.object({ id: z.number().int(), receivedAt: IsoTimeSchema, topic: z.string(), reason: z.string(), payloadExcerpt: z.string() }),
  ),
});
export type PersonExport = z.infer<typeof PersonExportSchema>;

export const PersonEraseResultSchema = z.object({
  watchlistEntries: z.number().int(),
  eventIdentities: z.number().int(),
  alerts: z.number().int(),
  deadLetters: z.number().int(),
  /** Face crops on the edges ordered deleted, and per gate whether its edge confirmed within the wait (later confirmations are audited as `person.erase_edge_confirmed`; unconfirmed orders are resent until they are). */
  edgeCrops: z.number().int(),
  edges: z.array(z.object({ siteId: z.string(), gateId: z.string(), crops: z.number().int(), confirmed: z.boolean() })),
});
export type PersonEraseResult = z.infer<typeof PersonEraseResultSchema>;
