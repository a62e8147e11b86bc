import { CccdError, type CccdReadResult } from '../../../../libs/cccd/src/index.js';
import type { DecisionSteps } from '../../../../libs/contracts/src/index.js';
import type { CardHandle, FaceMatcher } from '../lane-ports.js';
import { runStep, StepFailure } from '../step-timeout.js';
import type { Cycle } from './cycle.js';

const CHIP_FAILURES: Partial<Record<CccdError['code'], string>> = {
  NO_CARD: 'card_removed',
  TRANSPORT: 'card_removed',
  ACCESS_DENIED: 'access_denied',
  TIMEOUT: 'chip_timeout',
};

/** How long after a failed read the lane waits for the reader to report the card gone. */
const REMOVAL_GRACE_MS = 1000;

/**
 * Reads the CCCD chip on the lane's reader with its access key: DG1/DG2/DG13 and passive
 * authentication, the step timings, and the chip photo's embedding started at once (it overlaps the
 * face capture). A read that fails names a cause the operator can act on (`StepFailure`).
 */
export class ChipStep {
  constructor(
    private readonly matcher: FaceMatcher,
    private readonly timeoutMs: number,
    /** The card on the reader now (undefined once removed). */
    private readonly cardNow: () => CardHandle | undefined,
  ) {}

  async read(c: Cycle, can: string): Promise<CccdReadResult> {
    const card = this.cardNow();
    if (!card) throw new StepFailure('card_removed');
    let result: CccdReadResult;
    try {
      result = await runStep('chip_timeout', this.timeoutMs, c.ctl.signal, () => card.read({ can }));
    } catch (e) {
      if (e instanceof StepFailure) throw e;
      // A card pulled mid-APDU often shows first as a garbled answer; the reader reports the removal
      // a moment later (pcscd polls). Name the cause the operator can act on.
      if (await this.removedWithin(card, REMOVAL_GRACE_MS)) throw new StepFailure('card_removed', (e as Error).message);
      if (e instanceof CccdError) throw new StepFailure(CHIP_FAILURES[e.code] ?? 'chip_error', e.message);
      throw new StepFailure('chip_error', (e as Error).message);
    }
    // Data cut short by a pulled card fails the hash checks: that is a removal, not a forgery.
    if (!result.genuine && (await this.removedWithin(card, REMOVAL_GRACE_MS)))
      throw new StepFailure('card_removed', 'card left the reader during the read');
    c.chip = result;
    for (const s of result.steps) {
      const key: keyof DecisionSteps | undefined =
        s.step === 'access'
          ? 'chipAccess'
          : s.step.startsWith('read ')
            ? 'dgRead'
            : /authentication/.test(s.step)
              ? 'passiveAuth'
              : undefined;
      if (key) c.steps[key] = Math.round(((c.steps[key] ?? 0) + s.ms) * 10) / 10;
    }
    c.facts.chipGenuine = result.genuine;
    if (result.face) {
      c.chipJpeg = result.face.bytes;
      c.reference = this.matcher.embedReference(result.face.bytes);
      c.reference.catch(() => undefined);
    }
    return result;
  }

  private async removedWithin(card: CardHandle, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (this.cardNow() === card && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return this.cardNow() !== card;
  }
}
