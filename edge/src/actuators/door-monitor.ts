import type { DoorAlarm } from '../../../libs/contracts/src/index.js';
import type { ActuatorDriver } from './actuator-driver.js';

/** The alarm names are the contract's: the hub turns them into door alerts. */
export type { DoorAlarm };

/**
 * Turns door-contact changes into alarms: the door opening with no grant in force is `door_forced`;
 * a door still open `heldOpenMs` after it opened is `door_held_open` (once per opening).
 */
export class DoorMonitor {
  private grantUntil = 0;
  private heldTimer: NodeJS.Timeout | undefined;

  constructor(
    driver: ActuatorDriver,
    private readonly opts: { heldOpenMs: number; graceMs: number },
    private readonly onAlarm: (alarm: DoorAlarm, at: number) => void,
  ) {
    driver.onDoor((c) => (c.open ? this.opened(c.at) : this.closed()));
  }

  /** A grant releases the lock until `until` (ms since epoch). */
  granted(until: number): void {
    this.grantUntil = Math.max(this.grantUntil, until);
  }

  private opened(at: number): void {
    if (at > this.grantUntil + this.opts.graceMs) this.onAlarm('door_forced', at);
    clearTimeout(this.heldTimer);
    this.heldTimer = setTimeout(() => this.onAlarm('door_held_open', Date.now()), this.opts.heldOpenMs);
  }

  private closed(): void {
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
  }

  stop(): void {
    clearTimeout(this.heldTimer);
  }
}
