import { z } from 'zod';
import { EventIdSchema, IdSchema, IsoTimeSchema } from './ids.js';

export const DirectionSchema = z.enum(['entry', 'exit']);
export type Direction = z.infer<typeof DirectionSchema>;

export const EventSourceSchema = z.enum(['camera', 'card', 'face', 'manual']);
export type EventSource = z.infer<typeof EventSourceSchema>;

/** Who passed, when the gate knows it (card read and/or face match). Protected by the hub's privacy rules. */
export const IdentitySchema = z.strictObject({
  /** 12-digit CCCD number. */
  idNumber: z
    .string()
    .regex(/^\d{12}$/, 'idNumber must be the 12-digit CCCD number')
    .optional(),
  fullName: z.string().min(1).max(200).optional(),
  dateOfBirth: z.iso.date().optional(),
  /** L2-normalised face embedding, base64 of little-endian float32. */
  faceTemplate: z.base64().max(8192).optional(),
  faceModel: z.string().max(64).optional(),
  /** 1:1 chip photo ↔ live face similarity. */
  matchScore: z.number().min(-1).max(1).optional(),
  livenessScore: z.number().min(0).max(1).optional(),
  /** Passive authentication of the chip succeeded. */
  documentVerified: z.boolean().optional(),
});
export type Identity = z.infer<typeof IdentitySchema>;

export const AttachmentSchema = z.strictObject({
  kind: z.enum(['face_crop', 'frame', 'chip_photo']),
  /** Opaque reference resolved by the edge's media store (never the image itself). */
  ref: z.string().min(1).max(512),
  sha256: z
    .string()
    .regex(/^[a-f0-9]{64}$/)
    .optional(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const DecisionOutcomeSchema = z.enum(['open', 'deny', 'review']);
export type DecisionOutcome = z.infer<typeof DecisionOutcomeSchema>;

/** Timed steps of a lane decision (ms); absent when a step did not run. */
export const DecisionStepsSchema = z.strictObject({
  chipAccess: z.number().min(0).optional(),
  dgRead: z.number().min(0).optional(),
  passiveAuth: z.number().min(0).optional(),
  faceCapture: z.number().min(0).optional(),
  liveness: z.number().min(0).optional(),
  faceMatch: z.number().min(0).optional(),
  watchlist: z.number().min(0).optional(),
  review: z.number().min(0).optional(),
  /** Online VNeID check (the identity service's answer), when a verifier is configured. */
  vneidCheck: z.number().min(0).optional(),
  actuator: z.number().min(0).optional(),
  total: z.number().min(0).optional(),
});
export type DecisionSteps = z.infer<typeof DecisionStepsSchema>;

/**
 * What a lane decided about one entrant and why. Only `outcome: "open"` is a crossing; denied
 * attempts are stored for audit but never counted. `review` appears when an operator decided.
 */
export const DecisionSchema = z.strictObject({
  decisionId: z.string().min(1).max(64),
  outcome: DecisionOutcomeSchema,
  /** Machine-readable reasons, e.g. `face_mismatch`, `watchlist_hit`, `card_removed`. */
  reasons: z.array(z.string().min(1).max(64)).max(16),
  policy: z.string().max(32).optional(),
  /** How the person was admitted: chip + face, allowlist face 1:N, QR + face, operator… */
  method: z.enum(['chip_face', 'allowlist_face', 'qr_face', 'operator', 'count_only', 'none']).optional(),
  watchlist: z
    .strictObject({
      listKind: z.enum(['watchlist', 'allowlist']),
      entryId: z.string().max(64),
      severity: z.string().max(16).optional(),
      score: z.number().optional(),
      by: z.enum(['id_number', 'face']),
    })
    .optional(),
  review: z
    .strictObject({
      verdict: z.enum(['approve', 'deny']),
      by: z.string().max(64),
      reason: z.string().max(500),
      commandId: z.string().max(64).optional(),
    })
    .optional(),
  /** An operator overrode anti-passback (audited at the hub). */
  override: z.strictObject({ by: z.string().max(64), reason: z.string().max(500) }).optional(),
  steps: DecisionStepsSchema.optional(),
  /** Hub unreachable when decided (decided from local caches). */
  offline: z.boolean().optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

/** One person crossing one gate in one direction. The unit of every headcount. */
export const GateEventSchema = z.strictObject({
  eventId: EventIdSchema,
  siteId: IdSchema,
  zoneId: IdSchema,
  gateId: IdSchema,
  laneId: IdSchema.optional(),
  direction: DirectionSchema,
  source: EventSourceSchema,
  occurredAt: IsoTimeSchema,
  /** Camera track id for camera-sourced events, useful when auditing a count. */
  trackId: z.string().max(64).optional(),
  identity: IdentitySchema.optional(),
  attachments: z.array(AttachmentSchema).max(8).optional(),
  /** Set by a lane that decided (card/face/operator); absent on plain camera counts. */
  decision: DecisionSchema.optional(),
});
export type GateEvent = z.infer<typeof GateEventSchema>;

/** Whether an event is someone crossing (counted): a plain count or an OPEN decision, never a refusal or a door alarm. */
export const isCrossing = (e: Pick<GateEvent, 'decision'>): boolean => !e.decision || e.decision.outcome === 'open';
