import { z } from 'zod';
import { DecisionOutcomeSchema, DecisionSchema } from './gate-event.js';
import { IdSchema, IsoTimeSchema } from './ids.js';

/** Where a lane is in its cycle; the console shows one of these per lane. */
export const LanePhaseSchema = z.enum([
  'idle',
  'reading_card',
  'capturing_face',
  'verifying',
  'awaiting_review',
  'open',
  'denied',
  'fault',
]);
export type LanePhase = z.infer<typeof LanePhaseSchema>;

/** A small JPEG (≤ 24 KB) as base64, e.g. a 112 px face crop; never a full frame. */
const SmallJpegSchema = z.base64().max(32_768);

/**
 * Edge → hub (MQTT `…/lanes`) → console (Socket.IO `lane:state`): the live state of one lane. The
 * card block holds personal data; the hub masks it by the viewer's role before relaying.
 */
export const LaneStateSchema = z.strictObject({
  siteId: IdSchema,
  gateId: IdSchema,
  laneId: IdSchema,
  phase: LanePhaseSchema,
  at: IsoTimeSchema,
  decisionId: z.string().max(64).optional(),
  outcome: DecisionOutcomeSchema.optional(),
  reasons: z.array(z.string().max(64)).max(16).optional(),
  /** Live face crop and the chip (DG2) photo, small JPEGs. */
  faceJpeg: SmallJpegSchema.optional(),
  chipJpeg: SmallJpegSchema.optional(),
  matchScore: z.number().min(-1).max(1).optional(),
  matchThreshold: z.number().optional(),
  liveness: z.number().min(0).max(1).optional(),
  card: z
    .strictObject({
      idNumber: z.string().max(12).optional(),
      fullName: z.string().max(200).optional(),
      dateOfBirth: z.string().max(10).optional(),
      /** As printed (`Nam`/`Nữ`), from the chip or the QR. */
      sex: z.string().max(8).optional(),
      /** Date of issue (YYYY-MM-DD), from the card's QR. */
      issueDate: z.string().max(10).optional(),
      /** Where these fields come from: the chip (read and checked) or a QR (VNeID/card QR: not signed, compare the face with the photo on the VNeID screen). */
      source: z.enum(['chip', 'qr']).optional(),
      genuine: z.boolean().optional(),
    })
    .optional(),
  watchlist: DecisionSchema.shape.watchlist.optional(),
  /** Seconds an operator has left to decide a REVIEW before it becomes a DENY. */
  reviewDeadline: IsoTimeSchema.optional(),
  /** The hub could not be reached when this was decided. */
  offline: z.boolean().optional(),
});
export type LaneState = z.infer<typeof LaneStateSchema>;

/** POST /api/gate-control/review — an operator's verdict on a REVIEW decision. */
export const ReviewVerdictRequestSchema = z.strictObject({
  siteId: IdSchema,
  gateId: IdSchema,
  laneId: IdSchema,
  decisionId: z.string().min(1).max(64),
  verdict: z.enum(['approve', 'deny']),
  reason: z.string().trim().min(1).max(500),
});
export type ReviewVerdictRequest = z.infer<typeof ReviewVerdictRequestSchema>;

/** POST /api/gate-control/open — open a lane by hand (anti-passback override, assistance). */
export const OpenLaneRequestSchema = z.strictObject({
  siteId: IdSchema,
  gateId: IdSchema,
  laneId: IdSchema.optional(),
  reason: z.string().trim().min(1).max(500),
});
export type OpenLaneRequest = z.infer<typeof OpenLaneRequestSchema>;

/** POST /api/gate-control/can — the CAN typed for the card on a lane's reader. */
export const EnterCanRequestSchema = z.strictObject({
  siteId: IdSchema,
  gateId: IdSchema,
  laneId: IdSchema,
  can: z.string().regex(/^\d{6}$/, 'CAN is 6 digits'),
});
export type EnterCanRequest = z.infer<typeof EnterCanRequestSchema>;

/** The broker took the command; the gate refuses it after `expiresAt`. */
export const GateCommandAckSchema = z.object({ commandId: z.uuid(), publishedAt: IsoTimeSchema, expiresAt: IsoTimeSchema });
export type GateCommandAck = z.infer<typeof GateCommandAckSchema>;
