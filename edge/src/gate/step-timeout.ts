/** A step of the lane that ended without a result: the reason is what the event and console show. */
export class StepFailure extends Error {
  override name = 'StepFailure';
  constructor(
    readonly reason: string,
    detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
  }
}

/**
 * Runs a step with a deadline and the lane's abort signal; on timeout or abort it rejects with a
 * StepFailure at once (the step itself is told through `signal` and may finish later, ignored).
 */
export function runStep<T>(
  reasonOnTimeout: string,
  ms: number,
  signal: AbortSignal,
  step: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(asFailure(signal.reason));
    timer = setTimeout(() => {
      ctl.abort(new StepFailure(reasonOnTimeout));
      reject(new StepFailure(reasonOnTimeout, `no result within ${ms} ms`));
    }, ms);
    ctl.signal.addEventListener('abort', () => reject(asFailure(ctl.signal.reason)), { once: true });
    step(ctl.signal).then(resolve, reject);
  }).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  });
}

function asFailure(reason: unknown): StepFailure {
  return reason instanceof StepFailure ? reason : new StepFailure('aborted', String(reason));
}
