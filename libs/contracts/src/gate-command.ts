import { z } from 'zod';
import { IdSchema, IsoTimeSchema } from './ids.js';

/** The longest a gate command may stay valid; the edge refuses one that claims more. */
export const MAX_COMMAND_LIFETIME_MS = 5 * 60_000;

/**
 * Every command is unique (`commandId`, remembered by the edge until it expires) and short-lived
 * (`expiresAt`): the edge refuses a repeated or expired one, so a replayed or late "open" never fires.
 */
const CommandBase = {
  commandId: z.uuid(),
  siteId: IdSchema,
  gateId: IdSchema,
  issuedAt: IsoTimeSchema,
  expiresAt: IsoTimeSchema,
  /** User id of whoever issued it; the hub audits every command. */
  issuedBy: z.string().min(1).max(64),
};

/** Hub → edge. Discriminated by `type` so new commands extend the union. */
export const GateCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...CommandBase, type: z.literal('open_gate'), laneId: IdSchema.optional(), reason: z.string().min(1).max(500) }),
  z.strictObject({ ...CommandBase, type: z.literal('reload_config') }),
  z.strictObject({
    ...CommandBase,
    type: z.literal('review_decision'),
    laneId: IdSchema,
    decisionId: z.string().min(1).max(64),
    verdict: z.enum(['approve', 'deny']),
    reason: z.string().min(1).max(500),
  }),
  /** The operator typed the CAN printed on a card on this lane's reader (no readable QR). */
  z.strictObject({ ...CommandBase, type: z.literal('enter_can'), laneId: IdSchema, can: z.string().regex(/^\d{6}$/, 'CAN is 6 digits') }),
]);
export type GateCommand = z.infer<typeof GateCommandSchema>;
