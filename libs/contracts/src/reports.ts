import { z } from 'zod';
import { DirectionSchema, EventSourceSchema } from './gate-event.js';
import { IdSchema, IsoTimeSchema } from './ids.js';

const rangeChecks = <T extends z.ZodType<{ from: string; to: string }>>(s: T) =>
  s
    .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: '`from` must be before `to`', path: ['from'] })
    .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { message: 'range is at most 366 days', path: ['to'] });

/** GET /api/reports/summary — a manager's report over any range of one site (optionally a zone or gate). */
export const ReportQuerySchema = rangeChecks(
  z.strictObject({ siteId: IdSchema, zoneId: IdSchema.optional(), gateId: IdSchema.optional(), from: IsoTimeSchema, to: IsoTimeSchema }),
);
export type ReportQuery = z.infer<typeof ReportQuerySchema>;

export const ReportTotalsSchema = z.object({ entries: z.number().int(), exits: z.number().int() });

export const ReportSchema = z.object({
  siteId: IdSchema,
  zoneId: IdSchema.optional(),
  gateId: IdSchema.optional(),
  from: IsoTimeSchema,
  to: IsoTimeSchema,
  /** Size of the series buckets: an hour for ranges up to three days, else a local day. */
  bucket: z.enum(['1h', '1d']),
  totals: ReportTotalsSchema,
  /** The same length of time just before `from`. */
  previous: ReportTotalsSchema.extend({ from: IsoTimeSchema, to: IsoTimeSchema }),
  /**
   * Entries, exits and occupancy per bucket. Occupancy is entries − exits since local midnight (as the
   * wall counts it), never below zero, at the end of an hour bucket or at the peak hour of a day bucket.
   */
  series: z.array(z.object({ start: IsoTimeSchema, entries: z.number().int(), exits: z.number().int(), occupancy: z.number().int() })),
  /** Peak hours: entries per local weekday (0 = Monday) × hour (0–23), summed over the range. */
  heatmap: z.array(z.tuple([z.number().int().min(0).max(6), z.number().int().min(0).max(23), z.number().int()])),
  peakOccupancy: z.object({ at: IsoTimeSchema, occupancy: z.number().int() }).nullable(),
  /** Lane refusals (deny decisions, not counted) by machine reason; every reason of a decision counts once. */
  refusals: z.array(z.object({ reason: z.string(), count: z.number().int() })),
  /** Refused decisions (each once, whatever its number of reasons). */
  refusedDecisions: z.number().int(),
});
export type Report = z.infer<typeof ReportSchema>;

/** GET /api/reports/export — every event of the range as CSV or XLSX, streamed (no identity data). */
export const ExportQuerySchema = rangeChecks(
  z.strictObject({
    siteId: IdSchema,
    zoneId: IdSchema.optional(),
    gateId: IdSchema.optional(),
    direction: DirectionSchema.optional(),
    source: EventSourceSchema.optional(),
    from: IsoTimeSchema,
    to: IsoTimeSchema,
    format: z.enum(['csv', 'xlsx']).default('csv'),
    /**
     * Words instead of codes, in this language: headers, site/zone/gate names, directions, outcomes and
     * reasons; XLSX adds summary sheets (per day, per gate, refusals by reason). Without it, the machine
     * columns of `EXPORT_COLUMNS` (ids and codes) for programs.
     */
    lang: z.enum(['vi', 'en']).optional(),
  }),
);
export type ExportQuery = z.infer<typeof ExportQuerySchema>;

/** The export's columns, in order (CSV header and XLSX first row). */
export const EXPORT_COLUMNS = [
  'event_id',
  'occurred_at',
  'local_time',
  'site',
  'zone',
  'gate',
  'lane',
  'direction',
  'source',
  'outcome',
  'reasons',
] as const;

/** The worded export's headers (`lang` given), in the order of `EXPORT_COLUMNS`. */
export const EXPORT_HEADERS = {
  vi: ['Mã sự kiện', 'Thời điểm (UTC)', 'Giờ Việt Nam', 'Địa điểm', 'Khu vực', 'Cổng', 'Làn', 'Hướng', 'Nguồn', 'Kết quả', 'Lý do'],
  en: ['Event id', 'Time (UTC)', 'Vietnam time', 'Site', 'Zone', 'Gate', 'Lane', 'Direction', 'Source', 'Outcome', 'Reasons'],
} as const;

/** The worded XLSX's sheets and their headers. */
export const EXPORT_SHEETS = {
  vi: {
    events: 'Sự kiện',
    days: 'Theo ngày',
    gates: 'Theo cổng',
    reasons: 'Lý do từ chối',
    day: ['Ngày', 'Lượt vào', 'Lượt ra', 'Lượt từ chối'],
    gate: ['Cổng', 'Khu vực', 'Lượt vào', 'Lượt ra', 'Lượt từ chối'],
    reason: ['Lý do', 'Số lần'],
    total: 'Tổng cộng',
  },
  en: {
    events: 'Events',
    days: 'By day',
    gates: 'By gate',
    reasons: 'Refusal reasons',
    day: ['Date', 'Entries', 'Exits', 'Refusals'],
    gate: ['Gate', 'Zone', 'Entries', 'Exits', 'Refusals'],
    reason: ['Reason', 'Count'],
    total: 'Total',
  },
} as const;
