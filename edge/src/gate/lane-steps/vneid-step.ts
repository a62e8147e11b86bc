import type { FaceMatcher } from '../lane-ports.js';
import { runStep } from '../step-timeout.js';
import type { VneidVerifier } from '../vneid/vneid-verifier.js';
import { elapsedMs, type Cycle } from './cycle.js';

/**
 * A VNeID identification QR confirmed online; a verified portrait becomes the 1:1 reference, like a
 * chip photo. Never throws: an answer that is not a confirmation is a fact for the decision.
 */
export class VneidStep {
  constructor(
    private readonly verifier: VneidVerifier,
    private readonly timeoutMs: number,
    private readonly matcher: FaceMatcher,
  ) {}

  async verify(c: Cycle): Promise<void> {
    const t0 = performance.now();
    try {
      const r = await runStep('vneid_timeout', this.timeoutMs + 500, c.ctl.signal, (s) => this.verifier.verify(c.qr!, s));
      if (r.status === 'verified' && r.idNumber === c.qr!.idNumber) {
        c.facts.vneid = r.photo ? 'verified' : 'no_photo';
        if (r.photo) {
          c.chipJpeg = r.photo;
          c.reference = this.matcher.embedReference(r.photo);
          c.reference.catch(() => undefined);
        }
      } else c.facts.vneid = r.status === 'verified' ? 'refused' : r.status;
    } catch {
      c.facts.vneid = 'unavailable';
    } finally {
      c.steps.vneidCheck = elapsedMs(t0);
    }
  }
}
