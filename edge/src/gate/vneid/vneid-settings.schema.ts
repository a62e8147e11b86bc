import { z } from 'zod';

/** `gate.vneid` in the edge config: where and how the online VNeID check is reached. */
export const VneidSettingsSchema = z.strictObject({
  /** HTTPS endpoint taking a POST of our contract (vneid-contract.schema.ts). */
  url: z.url({ protocol: /^https$/ }),
  /** mTLS: this edge's client certificate and key (PEM), and the CA that signs the service (PEM). */
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  caFile: z.string().min(1).optional(),
  /** Whole request; past it the check is `unavailable` and the lane asks an operator. */
  timeoutMs: z.number().int().min(100).max(30_000).default(3000),
});
export type VneidSettings = z.infer<typeof VneidSettingsSchema>;
