import type { DoorContact } from './actuator-driver.js';

/** Fans door-contact changes out to listeners, dropping repeats of the state already reported. */
export class DoorContactFeed {
  private readonly listeners: ((c: DoorContact) => void)[] = [];
  private state: boolean | undefined;

  on(listener: (c: DoorContact) => void): void {
    this.listeners.push(listener);
  }

  report(open: boolean): void {
    if (open === this.state) return;
    this.state = open;
    const c = { open, at: Date.now() };
    for (const l of this.listeners) l(c);
  }
}

/**
 * Reads a door contact every `intervalMs` (for controllers that cannot push changes); a failed read
 * goes to `onError` and polling carries on, so a flaky controller never silences the contact for good.
 */
export class DoorContactPoller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly read: () => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly feed: DoorContactFeed,
    private readonly onError: (e: Error) => void,
  ) {}

  start(): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      try {
        this.feed.report(await this.read());
      } catch (e) {
        this.onError(e as Error);
      }
      this.start();
    }, this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
