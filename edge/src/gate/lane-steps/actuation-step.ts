import type { Actuation } from '../lane-ports.js';
import { runStep, StepFailure } from '../step-timeout.js';
import { elapsedMs } from './cycle.js';

/** Releases the lane's lock within `actuatorMs`; a lock that does not answer turns an OPEN into a DENY with its reason. */
export class ActuationStep {
  constructor(
    private readonly actuator: Actuation | undefined,
    private readonly timeoutMs: number,
  ) {}

  /** `failure` set when the lock was not released; `ms` absent when the lane has no actuator. */
  async open(signal: AbortSignal): Promise<{ failure?: string; ms?: number }> {
    const actuator = this.actuator;
    if (!actuator) return {};
    const t0 = performance.now();
    try {
      await runStep('actuator_timeout', this.timeoutMs, signal, () => actuator.open());
      return { ms: elapsedMs(t0) };
    } catch (e) {
      return { failure: e instanceof StepFailure ? e.reason : 'actuator_fault', ms: elapsedMs(t0) };
    }
  }
}
