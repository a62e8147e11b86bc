/** Delays between reconnect attempts: doubling from `initialMs` to `maxMs`, reset once connected. */
export class ReconnectBackoff {
  private next: number;

  constructor(private readonly opts: { initialMs: number; maxMs: number }) {
    this.next = opts.initialMs;
  }

  delay(): number {
    const d = this.next;
    this.next = Math.min(this.opts.maxMs, this.next * 2);
    return d;
  }

  reset(): void {
    this.next = this.opts.initialMs;
  }
}
