import { z } from 'zod';
import { IdSchema, IsoTimeSchema } from './ids.js';

export const CameraHealthSchema = z.strictObject({
  cameraId: IdSchema,
  state: z.enum(['connecting', 'streaming', 'stalled', 'failed']),
  fps: z.number().min(0),
  lastFrameAt: IsoTimeSchema.optional(),
  reconnects: z.number().int().min(0),
  error: z.string().max(500).optional(),
});
export type CameraHealth = z.infer<typeof CameraHealthSchema>;

/** One QR input of a lane (serial / keyboard-wedge scanner, or QR read from the lane camera). */
export const QrInputHealthSchema = z.strictObject({
  laneId: IdSchema,
  kind: z.enum(['serial', 'evdev', 'camera']),
  /** Device path, or the camera id. */
  source: z.string().min(1).max(200),
  connected: z.boolean(),
  scans: z.number().int().min(0),
  /** Scans dropped by the driver (too long, not UTF-8). */
  dropped: z.number().int().min(0),
  reconnects: z.number().int().min(0),
  lastScanAt: IsoTimeSchema.optional(),
  lastError: z.string().max(500).optional(),
});
export type QrInputHealth = z.infer<typeof QrInputHealthSchema>;

/** A lane's PC/SC card reader: whether pcscd lists it now (a reader unplugged or its driver gone shows false). */
export const CardReaderHealthSchema = z.strictObject({
  laneId: IdSchema,
  /** The configured reader name or /regex/. */
  reader: z.string().min(1).max(200),
  connected: z.boolean(),
  /** The PC/SC name of the reader matched, when connected. */
  name: z.string().max(200).optional(),
  cardPresent: z.boolean().optional(),
});
export type CardReaderHealth = z.infer<typeof CardReaderHealthSchema>;

/**
 * Retained per gate. The edge registers an MQTT last-will with `state: "offline"` so the hub and the
 * IOC wall learn of a dead agent from the broker.
 */
export const GateStatusSchema = z.strictObject({
  siteId: IdSchema,
  gateId: IdSchema,
  state: z.enum(['online', 'offline']),
  at: IsoTimeSchema.optional(),
  agentVersion: z.string().max(32).optional(),
  outboxDepth: z.number().int().min(0).optional(),
  cameras: z.array(CameraHealthSchema).max(64).optional(),
  qrInputs: z.array(QrInputHealthSchema).max(64).optional(),
  cardReaders: z.array(CardReaderHealthSchema).max(64).optional(),
});
export type GateStatus = z.infer<typeof GateStatusSchema>;
