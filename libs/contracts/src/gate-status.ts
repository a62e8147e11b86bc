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
});
export type GateStatus = z.infer<typeof GateStatusSchema>;
