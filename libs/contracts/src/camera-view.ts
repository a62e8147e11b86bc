import { z } from 'zod';
import { IdSchema, IsoTimeSchema } from './ids.js';

/**
 * Live camera tiles ("kết nối camera về IOC"): a low-rate JPEG stream of a gate camera, with its
 * counting lines and tracked people drawn on by the edge, relayed by the hub to the screens allowed
 * to see it. The edge sends frames only while it holds an unexpired view lease from the hub.
 */
export const CAMERA_VIEW = {
  /** Frames per second an edge sends for a watched camera (the lease may ask for 0.5–3). */
  defaultFps: 2,
  maxFps: 3,
  /** Longest side of a relayed frame, px (the edge downscales). */
  maxSide: 640,
  /** Largest JPEG of one frame; the edge lowers the quality until it fits, else drops the frame. */
  maxJpegBytes: 64 * 1024,
  /** How long one lease lasts and how often the hub renews it while someone watches. */
  leaseMs: 15_000,
  renewMs: 5_000,
  /** The edge never honours a lease reaching further than this (a wrong clock or a bad hub). */
  maxLeaseMs: 60_000,
} as const;

/** Hub → gate (`…/gates/<gate>/camera-view`, QoS 0): send this camera's frames until `until`. */
export const CameraViewLeaseSchema = z.strictObject({
  siteId: IdSchema,
  gateId: IdSchema,
  cameraId: IdSchema,
  until: IsoTimeSchema,
  fps: z.number().min(0.5).max(CAMERA_VIEW.maxFps).optional(),
});
export type CameraViewLease = z.infer<typeof CameraViewLeaseSchema>;

/** Base64 of at most `maxJpegBytes` bytes. */
const FrameJpegSchema = z.base64().max(Math.ceil(CAMERA_VIEW.maxJpegBytes / 3) * 4);

/** Gate → hub (`…/gates/<gate>/cameras/<camera>/frames`, QoS 0, not retained): one annotated frame. */
export const CameraFrameSchema = z.strictObject({
  siteId: IdSchema,
  gateId: IdSchema,
  cameraId: IdSchema,
  seq: z.number().int().min(0),
  at: IsoTimeSchema,
  width: z.number().int().min(1).max(CAMERA_VIEW.maxSide),
  height: z.number().int().min(1).max(CAMERA_VIEW.maxSide),
  /** People tracked in this frame (drawn as boxes with their track ids). */
  tracks: z.number().int().min(0).max(1000),
  jpeg: FrameJpegSchema,
});
export type CameraFrame = z.infer<typeof CameraFrameSchema>;

/** Socket.IO `camera:watch` / `camera:unwatch` (client → hub). */
export const CameraWatchRequestSchema = z.strictObject({ siteId: IdSchema, gateId: IdSchema, cameraId: IdSchema });
export type CameraWatchRequest = z.infer<typeof CameraWatchRequestSchema>;

/** Socket.IO `camera:frame` (hub → client): the frame with its JPEG as binary. */
export interface CameraFramePayload {
  siteId: string;
  gateId: string;
  cameraId: string;
  seq: number;
  at: string;
  width: number;
  height: number;
  tracks: number;
  jpeg: ArrayBuffer | Uint8Array;
}
