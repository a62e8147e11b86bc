import type { CccdQr, CccdReadResult } from '../../../../libs/cccd/src/index.js';
import type { Decision, DecisionSteps, GateCommand } from '../../../../libs/contracts/src/index.js';
import { newEventId } from '../../outbox/event-id.js';
import type { DecisionFacts, Verdict } from '../decide.js';
import type { LiveFace } from '../lane-ports.js';

export type ReviewCommand = Extract<GateCommand, { type: 'review_decision' }>;

/** What the lane knows about the entrant of the current cycle (drives the decision and the console view). */
export interface Cycle {
  decisionId: string;
  ctl: AbortController;
  started: number;
  steps: DecisionSteps;
  facts: DecisionFacts;
  chip?: CccdReadResult;
  qr?: CccdQr;
  live?: LiveFace;
  chipJpeg?: Uint8Array;
  /** The chip photo's embedding, started as soon as the chip is read (overlaps the face capture). */
  reference?: Promise<Float32Array | undefined>;
  personKey?: string;
  review?: (c: ReviewCommand) => void;
  reviewDeadline?: number;
  verdict?: Verdict;
  watchBy?: 'id_number' | 'face';
  /** Small JPEG of the chip photo (base64) for the console; '' while being made. */
  chipThumb?: string;
  /** An operator's manual open: who and why (the cycle has no entrant). */
  override?: { by: string; reason: string };
}

/** The verdict a cycle ends with: the decision's outcome, reasons and, after REVIEW, the operator's answer. */
export type Settlement = Verdict & { review?: Decision['review'] };

export function newCycle(method: NonNullable<Decision['method']>, extra: Partial<Pick<Cycle, 'qr' | 'override'>> = {}): Cycle {
  return { decisionId: newEventId(), ctl: new AbortController(), started: performance.now(), steps: {}, facts: { method }, ...extra };
}

/** Milliseconds since `t0` (performance.now()), to 0.1 ms: a step's timing on the decision. */
export const elapsedMs = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;

/** The chip's `dd/mm/yyyy` as ISO `yyyy-mm-dd` (undefined when absent or malformed). */
export const isoDate = (ddmmyyyy?: string): string | undefined => {
  const m = ddmmyyyy && /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(ddmmyyyy);
  return m ? `${m[3]}-${m[2]}-${m[1]}` : undefined;
};

/** Who the entrant says they are: the chip's data first, the QR's otherwise. */
export function claimedPerson(c: Cycle): { idNumber?: string; fullName?: string; dateOfBirth?: string } {
  const p = c.chip?.personal;
  const idNumber = p?.idNumber ?? c.qr?.idNumber;
  const fullName = p?.fullName ?? c.qr?.fullName;
  const dateOfBirth = isoDate(p?.dateOfBirth) ?? c.qr?.dateOfBirth;
  return { ...(idNumber ? { idNumber } : {}), ...(fullName ? { fullName } : {}), ...(dateOfBirth ? { dateOfBirth } : {}) };
}
