// Per-step transfer accounting (APDU count, bytes, wall time) reported with every read.
import { z } from 'zod';

export const StepStatsSchema = z.object({
  step: z.string(),
  apdus: z.number().int().nonnegative(),
  bytesSent: z.number().int().nonnegative(),
  bytesReceived: z.number().int().nonnegative(),
  ms: z.number().nonnegative(),
});
export type StepStats = z.infer<typeof StepStatsSchema>;

export class StatsRecorder {
  readonly steps: StepStats[] = [];
  private current: StepStats | undefined;
  private started = 0;

  begin(step: string): void {
    this.end();
    this.current = { step, apdus: 0, bytesSent: 0, bytesReceived: 0, ms: 0 };
    this.started = performance.now();
  }

  end(): void {
    if (!this.current) return;
    this.current.ms = Math.round((performance.now() - this.started) * 1000) / 1000;
    this.steps.push(this.current);
    this.current = undefined;
  }

  /** Runs `fn` as a named step, closing it even when it throws. */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.begin(name);
    try {
      return await fn();
    } finally {
      this.end();
    }
  }

  count(sent: number, received: number): void {
    if (!this.current) return;
    this.current.apdus++;
    this.current.bytesSent += sent;
    this.current.bytesReceived += received;
  }
}
