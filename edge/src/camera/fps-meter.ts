/** Frames per second over a sliding window. */
export class FpsMeter {
  private readonly stamps: number[] = [];

  constructor(private readonly windowMs = 3000) {}

  tick(now = Date.now()): void {
    this.stamps.push(now);
    this.trim(now);
  }

  fps(now = Date.now()): number {
    this.trim(now);
    if (this.stamps.length < 2) return 0;
    const span = Math.max(now - this.stamps[0]!, 1);
    return Math.round((this.stamps.length / span) * 1000 * 10) / 10;
  }

  private trim(now: number): void {
    while (this.stamps.length > 0 && now - this.stamps[0]! > this.windowMs) this.stamps.shift();
  }
}
