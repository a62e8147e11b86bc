import { z } from 'zod';
import { DecisionOutcomeSchema, DirectionSchema, EventSourceSchema } from './gate-event.js';
import { IdSchema, IsoTimeSchema } from './ids.js';

export const SubscribeRequestSchema = z.strictObject({ siteIds: z.array(IdSchema).min(1).max(100) });
export type SubscribeRequest = z.infer<typeof SubscribeRequestSchema>;

/** Today's totals (local day, Asia/Ho_Chi_Minh) for a gate, a zone or a site. */
export const TotalsSchema = z.object({
  entries: z.number().int(),
  exits: z.number().int(),
  /** entries − exits since the local day began, never below zero. */
  occupancy: z.number().int(),
});
export type Totals = z.infer<typeof TotalsSchema>;

export const CountsPayloadSchema = z.object({
  siteId: IdSchema,
  day: z.iso.date(),
  at: IsoTimeSchema,
  site: TotalsSchema,
  zones: z.record(z.string(), TotalsSchema),
  gates: z.record(z.string(), TotalsSchema),
  /**
   * On `counts:update`: the site's stored per-minute crossings of every minute the batch changed
   * (absolute values, not increments, refusals and door alarms excluded): a chart sets these buckets
   * and never counts the ticker, which shows a sample and includes refusals.
   */
  minutes: z.array(z.object({ start: IsoTimeSchema, entries: z.number().int().min(0), exits: z.number().int().min(0) })).optional(),
});
export type CountsPayload = z.infer<typeof CountsPayloadSchema>;

/** What the ticker shows: no identity data leaves the hub on this channel, a lane's verdict does. */
export const EventSummarySchema = z.object({
  eventId: z.string(),
  siteId: IdSchema,
  zoneId: IdSchema,
  gateId: IdSchema,
  direction: DirectionSchema,
  source: EventSourceSchema,
  occurredAt: IsoTimeSchema,
  receivedAt: IsoTimeSchema,
  /** A lane decision (absent for camera counts): the outcome and its machine reasons. */
  outcome: DecisionOutcomeSchema.optional(),
  reasons: z.array(z.string()).max(16).optional(),
});
export type EventSummary = z.infer<typeof EventSummarySchema>;

export const EventsNewPayloadSchema = z.object({ siteId: IdSchema, events: z.array(EventSummarySchema) });
export type EventsNewPayload = z.infer<typeof EventsNewPayloadSchema>;
