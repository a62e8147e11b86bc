import { z } from 'zod';
import { DirectionSchema, IdSchema } from '../../../libs/contracts/src/index.js';
import { QrInputSchema } from './qr/qr-input-config.schema.js';
import { VneidSettingsSchema } from './vneid/vneid-settings.schema.js';

/**
 * What a lane checks. tourist: counts everyone, identity only where a reader is fitted (otherwise a
 * face on the watchlist is all that stops an entrant); industrial: enrolled people (allowlist) by
 * face 1:N alone, visitors by CCCD + face; station: CCCD chip (or a VNeID QR) + face.
 */
export const SitePolicySchema = z.enum(['tourist', 'industrial', 'station']);
export type SitePolicy = z.infer<typeof SitePolicySchema>;

export const LaneTimeoutsSchema = z.strictObject({
  /** Card on the reader, no CAN yet: how long to wait for the QR scan or the operator. */
  accessKeyMs: z.number().int().min(500).max(120_000).default(10_000),
  /** Whole chip read (access + DGs + passive auth). */
  chipReadMs: z.number().int().min(500).max(60_000).default(8_000),
  /** Window to find a usable live face. */
  faceWindowMs: z.number().int().min(200).max(60_000).default(4_000),
  /** Chip photo embedding + compare, watchlist lookups. */
  matchMs: z.number().int().min(100).max(30_000).default(3_000),
  actuatorMs: z.number().int().min(100).max(10_000).default(2_000),
  /** An operator's REVIEW verdict; none in time → DENY `review_timeout`. */
  reviewMs: z.number().int().min(1000).max(600_000).default(30_000),
  /** How long OPEN / DENY stays on the lane display before it returns to idle. */
  resultMs: z.number().int().min(100).max(60_000).default(2_500),
  /** A scanned QR / typed CAN waits this long for its card. */
  pendingKeyMs: z.number().int().min(1000).max(120_000).default(20_000),
  /**
   * A QR scanned with no card on the reader is the card's own QR if the card arrives within this
   * long; otherwise (station lane, `acceptVneidQr`) it is a VNeID identification QR.
   */
  qrCardGraceMs: z.number().int().min(0).max(30_000).default(1500),
  /** The same QR text again within this long (camera frames, a double scan) counts once. */
  qrRepeatMs: z.number().int().min(0).max(60_000).default(3000),
});
export type LaneTimeouts = z.infer<typeof LaneTimeoutsSchema>;
const TIMEOUT_DEFAULTS = LaneTimeoutsSchema.parse({});

export const LanePolicySchema = z.strictObject({
  kind: SitePolicySchema.optional(),
  /** A similarity this far below the threshold goes to an operator instead of a DENY. */
  reviewMargin: z.number().min(0).max(0.2).default(0.02),
  /** Chip fails passive authentication (possible forgery). */
  onPassiveAuthFail: z.enum(['deny', 'review']).default('deny'),
  /** The lane camera is down: let an operator look, or refuse. */
  onCameraDown: z.enum(['deny', 'review']).default('review'),
  /**
   * The edge has never received the hub's lists (first boot, hub unreachable): an identity that
   * would otherwise pass cannot be checked against the watchlist. Count-only lanes still open.
   */
  onListsUnsynced: z.enum(['deny', 'review']).default('review'),
  /** VNeID QR (no chip photo to compare with): operator confirms the face. */
  acceptVneidQr: z.boolean().default(true),
  /** Liveness floor; default: the face model's calibrated threshold. */
  livenessThreshold: z.number().min(0).max(1).optional(),
  /**
   * How a live face is told from a photo or screen. The passive model ships with no measured attack
   * rejection (README "Liveness"), so: 'challenge' (default) — the lane prompts a random sequence of
   * head turns and a blink and judges it from the landmarks (a replayed video cannot know the order);
   * not passed → REVIEW with the failed step; 'blink' — the lane asks the entrant to blink and watches for
   * it across frames (a replayed video of the holder blinking passes it); no blink → REVIEW; 'operator' — every face-matched OPEN goes to an operator;
   * 'passive' — the passive score alone (only where attacks are otherwise prevented, or the camera
   * shows a still image, as in the demo and the tests). Nothing claims a screen it has not been
   * measured to be.
   */
  livenessCheck: z.enum(['passive', 'blink', 'challenge', 'operator']).default('challenge'),
  /**
   * The active challenge ('challenge'): `steps` drawn at random per attempt from turn left / blink /
   * turn right (none twice in a row), each to be done within `stepMs`; `mirrored` for a camera that
   * flips its frames (left and right are the entrant's own).
   */
  challenge: z
    .strictObject({
      steps: z.number().int().min(1).max(5).default(3),
      stepMs: z.number().int().min(1500).max(10_000).default(4000),
      mirrored: z.boolean().default(false),
    })
    .optional(),
});
export type LanePolicy = z.infer<typeof LanePolicySchema>;

export const LaneConfigSchema = z
  .strictObject({
    id: IdSchema,
    direction: DirectionSchema.default('entry'),
    /** PC/SC reader name (exact) or /regex/; absent = no reader fitted. */
    reader: z.string().min(1).optional(),
    /**
     * The lane's own face camera (rtsp/onvif/file, fields as in edge/camera; a still image file works
     * as a test camera). Separate from the gate's counting cameras: decoded in the agent, not a worker.
     */
    camera: z.looseObject({ id: IdSchema, kind: z.enum(['rtsp', 'onvif', 'file']) }).optional(),
    /** Actuator id from the edge's actuators. */
    actuator: IdSchema.optional(),
    /** Where the lane's QR codes come from: serial (USB-COM/CDC, RS-232) or HID (evdev) scanners, the lane camera. */
    qr: z.array(QrInputSchema).max(4).default([]),
    policy: LanePolicySchema.default(LanePolicySchema.parse({})),
    timeouts: LaneTimeoutsSchema.default(TIMEOUT_DEFAULTS),
  })
  .refine((l) => l.camera || !l.qr.some((q) => q.kind === 'camera'), {
    path: ['qr'],
    message: "a { kind: 'camera' } QR input needs the lane's camera",
  });
export type LaneConfig = z.infer<typeof LaneConfigSchema>;
export type LaneConfigInput = z.input<typeof LaneConfigSchema>;

/** Edge-wide settings of the gate decision (trust anchors, matching key, face model). */
export const GateSettingsSchema = z.strictObject({
  /** CSCA certificates (PEM/DER files or an ICAO master list) for passive authentication. */
  cscaPaths: z.array(z.string().min(1)).default([]),
  /** The hub's ID-number HMAC key (HUB_ID_HMAC_KEY, base64) in a file, or env CG_ID_HMAC_KEY. */
  idHmacKeyFile: z.string().optional(),
  /** Face matching threshold override (default: the calibrated one of libs/face). */
  matchThreshold: z.number().min(0).max(1).optional(),
  /** Hours after which an unmatched entry is forgotten by anti-passback (people leave unseen). */
  antiPassbackHours: z.number().min(0.1).max(168).default(16),
  /** Online check of VNeID QRs (HTTPS + mTLS, our contract); absent → VNeID entrants always go to an operator. */
  vneid: VneidSettingsSchema.optional(),
});
export type GateSettings = z.infer<typeof GateSettingsSchema>;
