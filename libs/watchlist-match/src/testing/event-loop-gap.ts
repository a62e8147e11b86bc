/**
 * Measures how long the event loop was held: a timer ticks every `intervalMs` and the longest gap
 * between two ticks is kept (the spec's and `bench:watchlist`'s stall meter).
 */
export class EventLoopGapMeter {
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  private max = 0;

  constructor(private readonly intervalMs = 5) {}

  start(): this {
    this.max = 0;
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.max = Math.max(this.max, now - this.last);
      this.last = now;
    }, this.intervalMs);
    return this;
  }

  /** Stops the timer; the longest gap seen (ms), counting the time since the last tick. */
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return Math.max(this.max, performance.now() - this.last);
  }
}

/** Longest event-loop gap (ms) while `fn` runs. */
export async function longestEventLoopGap(fn: () => Promise<void>, intervalMs = 5): Promise<number> {
  const meter = new EventLoopGapMeter(intervalMs).start();
  let gap: number;
  try {
    await fn();
  } finally {
    gap = meter.stop();
  }
  return gap;
}
