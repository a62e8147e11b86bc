export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Fraction of each delay that is random: 0.5 → delay in [d/2, d]. */
  jitter: number;
}

/** Exponential backoff with jitter, so a site's cameras that drop together don't reconnect in step. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly o: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next attempt; each call doubles the base up to maxMs. */
  next(): number {
    const base = Math.min(this.o.maxMs, this.o.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(base * (1 - this.o.jitter * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
