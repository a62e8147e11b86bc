import type { z } from 'zod';
import { ActuatorError, PulseTimer, type ActuatorDriver, type DoorContact } from './actuator-driver.js';
import type { HttpRelayActuatorSchema } from './actuator-config.schema.js';

/** Relay boards with an HTTP API: one request releases, another locks; an optional status URL is polled for the door contact. */
export class HttpRelayActuator implements ActuatorDriver {
  readonly kind = 'http';
  private readonly listeners: ((c: DoorContact) => void)[] = [];
  private readonly timer: PulseTimer;
  private readonly doorOpen: RegExp;
  private poller: NodeJS.Timeout | undefined;
  private door: boolean | undefined;
  private closed = false;

  constructor(private readonly cfg: z.infer<typeof HttpRelayActuatorSchema>, private readonly onError: (e: Error) => void = () => undefined) {
    this.timer = new PulseTimer(async () => void (await this.call(cfg.lockUrl)), onError);
    this.doorOpen = new RegExp(cfg.doorOpenPattern);
  }

  private async call(url: string): Promise<string> {
    let res: Response;
    try {
      res = await fetch(url, { method: this.cfg.method, signal: AbortSignal.timeout(this.cfg.timeoutMs) });
    } catch (e) {
      throw new ActuatorError(`relay ${new URL(url).host}: ${(e as Error).message}`);
    }
    const body = await res.text();
    if (!res.ok) throw new ActuatorError(`relay ${new URL(url).host}: HTTP ${res.status}`);
    return body;
  }

  async init(): Promise<void> {
    await this.call(this.cfg.lockUrl);
    if (this.cfg.statusUrl) this.poll();
  }

  private poll(): void {
    if (this.closed) return;
    this.poller = setTimeout(async () => {
      try {
        const open = this.doorOpen.test(await this.call(this.cfg.statusUrl!));
        if (open !== this.door) {
          this.door = open;
          for (const l of this.listeners) l({ open, at: Date.now() });
        }
      } catch (e) {
        this.onError(e as Error);
      }
      this.poll();
    }, this.cfg.pollMs);
  }

  async release(ms: number): Promise<void> {
    await this.call(this.cfg.releaseUrl);
    this.timer.arm(ms);
  }

  onDoor(listener: (c: DoorContact) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.poller);
    this.timer.cancel();
  }
}
