import { z } from 'zod';
import type { GateEvent } from './gate-event.js';
import { IdSchema, IsoTimeSchema } from './ids.js';
import { RoleSchema } from './roles.js';
import { ListKindSchema } from './watchlist.js';
import { SeveritySchema } from './watchlist-delta.js';

/** open → acknowledged → resolved | false_positive (acknowledging first is optional). */
export const AlertStatusSchema = z.enum(['open', 'acknowledged', 'resolved', 'false_positive']);
export type AlertStatus = z.infer<typeof AlertStatusSchema>;

/** face: at or above the alert threshold; face_near: in the possible-match band below it (security reviews); id_number: the CCCD number. */
export const AlertMatchKindSchema = z.enum(['face', 'face_near', 'id_number']);

/** watchlist: a listed person seen at a gate; door: a lane's door forced or held open. */
export const AlertKindSchema = z.enum(['watchlist', 'door']);

/** Door-contact alarms an edge reports as events: decision `deny`, method `none`, the alarm as the reason. */
export const DoorAlarmSchema = z.enum(['door_forced', 'door_held_open']);
export type DoorAlarm = z.infer<typeof DoorAlarmSchema>;

/** The door alarm an event reports, if it is one. */
export function doorAlarmOf(e: Pick<GateEvent, 'decision'>): DoorAlarm | undefined {
  if (e.decision?.method !== 'none') return undefined;
  const r = DoorAlarmSchema.safeParse(e.decision.reasons[0]);
  return r.success ? r.data : undefined;
}

/**
 * An alert, as pushed to security sockets and listed over REST. A door alert has no watchlist entry,
 * match or name (those are null) and its `reason` is the alarm.
 */
export const AlertSchema = z.object({
  alertId: z.string(),
  kind: AlertKindSchema,
  siteId: IdSchema,
  zoneId: IdSchema,
  gateId: IdSchema,
  laneId: IdSchema.nullable(),
  eventId: z.string(),
  entryId: z.string().nullable(),
  listKind: ListKindSchema.nullable(),
  severity: SeveritySchema,
  matchKind: AlertMatchKindSchema.nullable(),
  /** Cosine similarity for a face match, 1 for an ID-number match. */
  score: z.number().nullable(),
  fullName: z.string().nullable(),
  reason: z.string(),
  /** The event's face crop or frame reference (resolved by the edge's media store). */
  snapshotRef: z.string().nullable(),
  occurredAt: IsoTimeSchema,
  raisedAt: IsoTimeSchema,
  status: AlertStatusSchema,
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: IsoTimeSchema.nullable(),
  closedBy: z.string().nullable(),
  closedAt: IsoTimeSchema.nullable(),
  /** The latest note (any step); each step's own note is below. */
  note: z.string().nullable(),
  /** Note given when acknowledging, kept when the alert is later resolved. */
  ackNote: z.string().nullable(),
  /** Note given when resolving or marking a false positive (which one: `status`). */
  closeNote: z.string().nullable(),
  /** Sightings of the same entry at the site folded into this alert (1 for a door alarm). */
  sightings: z.number().int(),
  firstSeenAt: IsoTimeSchema,
  lastSeenAt: IsoTimeSchema,
  /** Every gate the entry was seen at, first seen first. */
  gates: z.array(IdSchema),
  /** The newest sighting's event (its live crop is the one the detail shows). */
  lastEventId: z.string(),
  /** Set when a critical alert stayed unacknowledged past the site's escalation delay. */
  escalatedAt: IsoTimeSchema.nullable(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** One sighting folded into an alert (the alert's timeline). */
export const AlertSightingSchema = z.object({
  eventId: z.string(),
  gateId: IdSchema,
  laneId: IdSchema.nullable(),
  occurredAt: IsoTimeSchema,
  matchKind: AlertMatchKindSchema.nullable(),
  score: z.number().nullable(),
});
export type AlertSighting = z.infer<typeof AlertSightingSchema>;

/** POST /api/sites/:siteId/alerts/acknowledge — several open alerts at once, one note for all. */
export const AlertBulkAckSchema = z.strictObject({
  alertIds: z.array(z.string().min(1).max(36)).min(1).max(500),
  note: z.string().max(1000).optional(),
});
export type AlertBulkAck = z.infer<typeof AlertBulkAckSchema>;

/** What the escalation webhook receives (JSON, signed: see the README). */
export const AlertWebhookPayloadSchema = z.object({
  type: z.literal('alert.escalated'),
  deliveryId: z.string(),
  sentAt: IsoTimeSchema,
  alert: z.object({
    alertId: z.string(),
    kind: AlertKindSchema,
    siteId: IdSchema,
    gateId: IdSchema,
    laneId: IdSchema.nullable(),
    severity: SeveritySchema,
    reason: z.string(),
    sightings: z.number().int(),
    firstSeenAt: IsoTimeSchema,
    lastSeenAt: IsoTimeSchema,
    raisedAt: IsoTimeSchema,
    escalatedAt: IsoTimeSchema,
    minutesUnacknowledged: z.number(),
  }),
});
export type AlertWebhookPayload = z.infer<typeof AlertWebhookPayloadSchema>;

export const AlertListQuerySchema = z.strictObject({
  siteId: IdSchema,
  status: AlertStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AlertListQuery = z.infer<typeof AlertListQuerySchema>;

/** POST /api/alerts/:alertId/{acknowledge,resolve,false-positive}. */
export const AlertActionSchema = z.strictObject({ note: z.string().max(1000).optional() });
export type AlertAction = z.infer<typeof AlertActionSchema>;

/**
 * Alert rules: for a site (or `*`, all sites), alerts of at least `minSeverity` are raised and pushed
 * to the listed roles. A site rule overrides the `*` rule; with no rule, every severity alerts
 * security (and admin).
 */
export const AlertRuleSchema = z.strictObject({
  siteId: z.union([IdSchema, z.literal('*')]),
  minSeverity: SeveritySchema,
  notifyRoles: z.array(RoleSchema).max(5),
  /** Sightings of one entry at the site within this many minutes of the last one fold into one alert (default 10). */
  groupWindowMinutes: z.number().min(0).max(1440).optional(),
  /** A critical alert still unacknowledged this many minutes after it was raised escalates (default: the hub's ALERT_ESCALATE_MINUTES; 0: never). */
  escalateAfterMinutes: z.number().min(0).max(1440).optional(),
  /** Where an escalation is POSTed (http/https), instead of the hub's ALERT_WEBHOOK_URL. */
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .optional(),
});
export type AlertRule = z.infer<typeof AlertRuleSchema>;
export const AlertRuleListSchema = z.array(AlertRuleSchema);
