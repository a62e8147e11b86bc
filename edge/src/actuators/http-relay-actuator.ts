import type { z } from 'zod';
import { ActuatorError, PulseTimer, type ActuatorDriver, type DoorContact } from './actuator-driver.js';
import type { HttpRelayActuatorSchema } from './actuator-config.schema.js';
import { DoorContactFeed, DoorContactPoller } from './door-contact.js';

/** Relay boards with an HTTP API: one request releases, another locks; an optional status URL is polled for the door contact. */
export class HttpRelayActuator implements ActuatorDriver {
  readonly kind = 'http';
  private readonly door = new DoorContactFeed();
  private readonly timer: PulseTimer;
  private readonly doorOpen: RegExp;
  private poller: DoorContactPoller | undefined;

  constructor(
    private readonly cfg: z.infer<typeof HttpRelayActuatorSchema>,
    private readonly onError: (e: Error) => void = () => undefined,
  ) {
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
    const statusUrl = this.cfg.statusUrl;
    if (!statusUrl) return;
    this.poller = new DoorContactPoller(
      async () => this.doorOpen.test(await this.call(statusUrl)),
      this.cfg.pollMs,
      this.door,
      this.onError,
    );
    this.poller.start();
  }

  async release(ms: number): Promise<void> {
    await this.call(this.cfg.releaseUrl);
    this.timer.arm(ms);
  }

  onDoor(listener: (c: DoorContact) => void): void {
    this.door.on(listener);
  }

  async close(): Promise<void> {
    this.poller?.stop();
    this.timer.cancel();
  }
}
