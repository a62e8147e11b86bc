/** A change of the door contact as a driver reads it. */
export interface DoorContact {
  open: boolean;
  at: number;
}

/**
 * One lock/turnstile output (and optionally its door contact) behind one interface, whatever the
 * hardware. `release` drives the lock to its released level, resolves once that is applied, and
 * re-locks by itself after `ms`; overlapping grants extend the release.
 */
export interface ActuatorDriver {
  readonly kind: string;
  /** Drives the idle (locked) level and starts watching the door contact. */
  init(): Promise<void>;
  release(ms: number): Promise<void>;
  /** Called on every door-contact change. */
  onDoor(listener: (c: DoorContact) => void): void;
  close(): Promise<void>;
}

export class ActuatorError extends Error {
  override name = 'ActuatorError';
}

/**
 * The release/relock timing every driver shares: one timer per output, extended by a new grant,
 * so two quick grants never lock the door in the middle of the second.
 */
export class PulseTimer {
  private timer: NodeJS.Timeout | undefined;
  private until = 0;

  constructor(
    private readonly relock: () => Promise<void>,
    private readonly onError: (e: Error) => void,
  ) {}

  get releasedUntil(): number {
    return this.until;
  }

  arm(ms: number): void {
    this.until = Math.max(this.until, Date.now() + ms);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.relock().catch(this.onError);
    }, this.until - Date.now());
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
