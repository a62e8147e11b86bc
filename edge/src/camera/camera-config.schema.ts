import { z } from 'zod';
import { IdSchema } from '../../../libs/contracts/src/index.js';
import { COUNTING_PROFILES, MOUNTS, type Mount } from '../vision/counting-profiles.js';

/** A point in normalised frame coordinates: (0, 0) top-left, (1, 1) bottom-right. */
export const NormPointSchema = z.strictObject({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) });

export const CountingLineConfigSchema = z.strictObject({
  id: IdSchema,
  /** The line the feet (or box centres) of people cross, in normalised coordinates. */
  from: NormPointSchema,
  to: NormPointSchema,
  /** Any point on the inside of the gate: crossing toward it is an entry, away from it an exit. */
  inside: NormPointSchema,
  laneId: IdSchema.optional(),
  /**
   * Dead band each side of the line as a fraction of the frame height (turn-backs inside it never
   * count). Default: the camera's mount's (0.04 side and overhead, 0.02 oblique).
   */
  band: z.number().min(0).max(0.3).optional(),
  /** Which point of a person crosses: feet (side, oblique) or body centre (overhead). Default: the mount's. */
  anchor: z.enum(['bottom', 'center']).optional(),
});

const DecodeSchema = {
  /**
   * How the camera is mounted: `side` (a lane camera at head height, MoveNet with face best-shot),
   * `oblique` (high over a crowd, CenterNet, feet cross the line), `overhead` (looking straight down,
   * moving blobs, body centre crosses). Each mount ships its own settings below; any may be set.
   */
  mount: z.enum(MOUNTS as [Mount, ...Mount[]]).default('side'),
  /** Person detector; default: the mount's (movenet, centernet, motion). */
  detector: z.enum(['movenet', 'centernet', 'motion']).optional(),
  /** Detector input width, a multiple of 32 (motion: its working width); the height follows the frame's shape. */
  inputWidth: z.number().int().min(64).max(1920).optional(),
  /** Detection score a person needs; default: the mount's. */
  minScore: z.number().min(0.01).max(0.99).optional(),
  /** Overhead: one person's width from above as a fraction of the frame width; merged blobs are split by it. */
  personSize: z.number().min(0.02).max(0.8).optional(),
  /** Size frames are decoded to (ffmpeg scales); detection runs on this. Default: the mount's width, 16:9. */
  width: z.number().int().min(64).max(3840).optional(),
  height: z.number().int().min(64).max(2160).optional(),
  /** Frames per second taken from the stream (ffmpeg drops the rest). */
  fps: z.number().min(0.5).max(60).default(10),
  /** Run the person detector on every n-th frame; the tracker predicts in between. Default: the mount's. */
  detectEvery: z.number().int().min(1).max(30).optional(),
  lines: z.array(CountingLineConfigSchema).min(1, 'a camera needs at least one counting line'),
  /** Seconds without a frame before the stream is declared stalled and reconnected. */
  stallSeconds: z.number().min(1).max(120).default(10),
  connectTimeoutSeconds: z.number().min(1).max(120).default(15),
  reconnect: z
    .strictObject({
      initialMs: z.number().int().min(50).max(60_000).default(1000),
      maxMs: z.number().int().min(100).max(600_000).default(30_000),
      jitter: z.number().min(0).max(1).default(0.5),
    })
    .default({ initialMs: 1000, maxMs: 30_000, jitter: 0.5 }),
};

const rtspUrl = z.string().regex(/^rtsps?:\/\/[^\s]+$/, 'url must be rtsp://host[:port]/path (credentials as username/password)');

export const RtspCameraSchema = z.strictObject({
  id: IdSchema,
  kind: z.literal('rtsp'),
  url: rtspUrl,
  username: z.string().optional(),
  password: z.string().optional(),
  ...DecodeSchema,
});

export const OnvifCameraSchema = z.strictObject({
  id: IdSchema,
  kind: z.literal('onvif'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(80),
  username: z.string().optional(),
  password: z.string().optional(),
  /** Media profile token; the first profile with video when absent. */
  profile: z.string().optional(),
  ...DecodeSchema,
});

export const FileCameraSchema = z.strictObject({
  id: IdSchema,
  kind: z.literal('file'),
  path: z.string().min(1),
  loop: z.boolean().default(true),
  /** Read at the file's own speed, like a camera (demos); false reads as fast as processed (tests). */
  realtime: z.boolean().default(true),
  ...DecodeSchema,
});

/** A camera's settings with its mount's shipped values filled in where the config left them out. */
function withMountDefaults(cam: z.infer<typeof RtspCameraSchema> | z.infer<typeof OnvifCameraSchema> | z.infer<typeof FileCameraSchema>) {
  const p = COUNTING_PROFILES[cam.mount];
  const width = cam.width ?? p.decodeWidth;
  const height = cam.height ?? Math.round((width * 9) / 16 / 2) * 2;
  return {
    ...cam,
    width,
    height,
    detectEvery: cam.detectEvery ?? p.detectEvery,
    detector: cam.detector ?? p.detector,
    inputWidth: cam.inputWidth ?? p.inputWidth,
    minScore: cam.minScore ?? p.minScore,
    lines: cam.lines.map((l) => ({ ...l, band: l.band ?? p.band, anchor: (l.anchor ?? p.anchor) as 'bottom' | 'center' })),
  };
}

export const CameraConfigSchema = z
  .discriminatedUnion('kind', [RtspCameraSchema, OnvifCameraSchema, FileCameraSchema])
  .transform((cam) => withMountDefaults(cam));
export type CameraConfig = z.infer<typeof CameraConfigSchema>;
export type CameraConfigInput = z.input<typeof CameraConfigSchema>;
export type CountingLineConfig = z.infer<typeof CountingLineConfigSchema>;

/** A camera with the gate it counts for: what a camera worker is started with. */
export const CameraAssignmentSchema = z.strictObject({
  siteId: IdSchema,
  zoneId: IdSchema,
  gateId: IdSchema,
  camera: CameraConfigSchema,
});
export type CameraAssignment = z.infer<typeof CameraAssignmentSchema>;
