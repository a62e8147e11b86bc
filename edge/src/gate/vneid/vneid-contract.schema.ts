import { z } from 'zod';

/**
 * OUR contract for the online VNeID check, not C06's: the electronic-identification service of the
 * Ministry of Public Security (C06) has no public API. When access is granted, an adapter maps C06's
 * real request/response onto these schemas (or this service sits behind a small proxy that does);
 * the lane depends only on these.
 */
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** POST body: what the VNeID QR says, to be confirmed by the identity service. */
export const VneidVerifyRequestSchema = z.strictObject({
  idNumber: z.string().regex(/^\d{12}$/),
  fullName: z.string().min(1).max(200),
  dateOfBirth: IsoDate,
  dateOfIssue: IsoDate,
  /** Which gate asks (audit on the service side). */
  siteId: z.string().max(64),
  gateId: z.string().max(64),
});
export type VneidVerifyRequest = z.infer<typeof VneidVerifyRequestSchema>;

/** Response: the identity confirmed (with the registered portrait for 1:1), or refused with why. */
export const VneidVerifyResponseSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('verified'),
    idNumber: z.string().regex(/^\d{12}$/),
    fullName: z.string().min(1).max(200),
    dateOfBirth: IsoDate,
    /** The portrait on record, JPEG base64 (≤ 300 KB); without it the lane cannot compare faces. */
    photoJpeg: z.base64().max(400_000).optional(),
    /** The service's own reference for the check (kept in logs for audit). */
    reference: z.string().max(128).optional(),
  }),
  z.strictObject({
    status: z.literal('refused'),
    /** e.g. `not_found`, `revoked`, `qr_expired`. */
    reason: z.string().min(1).max(200),
  }),
]);
export type VneidVerifyResponse = z.infer<typeof VneidVerifyResponseSchema>;
