import { z } from 'zod';
import { EventIdSchema, IdSchema, IsoTimeSchema } from './ids.js';

export const DirectionSchema = z.enum(['entry', 'exit']);
export type Direction = z.infer<typeof DirectionSchema>;

export const EventSourceSchema = z.enum(['camera', 'card', 'face', 'manual']);
export type EventSource = z.infer<typeof EventSourceSchema>;

/** Who passed, when the gate knows it (card read and/or face match). Protected by the hub's privacy rules. */
export const IdentitySchema = z.strictObject({
  /** 12-digit CCCD number. */
  idNumber: z.string().regex(/^\d{12}$/, 'idNumber must be the 12-digit CCCD number').optional(),
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
  sha256: z.string().regex(/^[a-f0-9]{64}$/).optional(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

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
});
export type GateEvent = z.infer<typeof GateEventSchema>;
