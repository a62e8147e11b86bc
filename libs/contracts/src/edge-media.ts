import { z } from 'zod';
import { EventIdSchema, IdSchema, IsoTimeSchema } from './ids.js';

/**
 * A face crop kept by an edge: `media:face_crop/<name>.jpg` (what an event's attachment names). The edge
 * resolves it in its encrypted media store; the hub never stores the image.
 */
export const MediaRefSchema = z.string().regex(/^media:face_crop\/[A-Za-z0-9_.-]{1,200}\.jpg$/, 'not a face-crop reference');

/** Refs per erase message (an erase of more is split). */
export const MAX_ERASE_REFS = 500;
/** The largest crop an edge returns (base64 of a ~300 kB JPEG). */
export const MAX_CROP_BASE64 = 400_000;

/**
 * Hub → edge, on the gate's media-requests topic (QoS 1). `crop_get`: send back one crop (expires
 * quickly: the hub has answered its caller by then). `crop_erase`: delete these crops (a person-erase),
 * repeated by the hub until the edge acknowledges, so the edge treats a repeat as a no-op.
 */
export const MediaRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('crop_get'),
    requestId: z.uuid(),
    siteId: IdSchema,
    gateId: IdSchema,
    eventId: EventIdSchema,
    ref: MediaRefSchema,
    expiresAt: IsoTimeSchema,
  }),
  z.strictObject({
    type: z.literal('crop_erase'),
    requestId: z.uuid(),
    siteId: IdSchema,
    gateId: IdSchema,
    refs: z.array(MediaRefSchema).min(1).max(MAX_ERASE_REFS),
  }),
]);
export type MediaRequest = z.infer<typeof MediaRequestSchema>;

/** Edge → hub, on the gate's media-replies topic (QoS 1): the answer to one request, by its id. */
export const MediaReplySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('crop'),
    requestId: z.uuid(),
    /** `not_found`: purged by retention, erased, or never kept; `refused`: the request was invalid or expired. */
    status: z.enum(['ok', 'not_found', 'refused']),
    jpegBase64: z.string().max(MAX_CROP_BASE64).optional(),
    reason: z.string().max(200).optional(),
  }),
  z.strictObject({
    type: z.literal('erase_ack'),
    requestId: z.uuid(),
    /** Crops deleted now, and crops already gone (purged before, or an earlier delivery of this erase). */
    deleted: z.number().int().min(0),
    missing: z.number().int().min(0),
  }),
]);
export type MediaReply = z.infer<typeof MediaReplySchema>;
