import type { ActuatorDriver, DoorContact } from './actuator-driver.js';
import { PulseTimer } from './actuator-driver.js';

export interface RecordedPulse {
  at: number;
  ms: number;
}

/** A lock that exists only in memory: records every pulse; tests drive its door contact. */
export class SimulatedActuator implements ActuatorDriver {
  readonly kind = 'simulator';
  readonly pulses: RecordedPulse[] = [];
  released = false;
  private listeners: ((c: DoorContact) => void)[] = [];
  private readonly timer = new PulseTimer(
    async () => void (this.released = false),
    () => undefined,
  );

  async init(): Promise<void> {
    this.released = false;
  }

  async release(ms: number): Promise<void> {
    this.pulses.push({ at: Date.now(), ms });
    this.released = true;
    this.timer.arm(ms);
  }

  onDoor(listener: (c: DoorContact) => void): void {
    this.listeners.push(listener);
  }

  /** Test hook: the door contact changes. */
  setDoor(open: boolean): void {
    for (const l of this.listeners) l({ open, at: Date.now() });
  }

  async close(): Promise<void> {
    this.timer.cancel();
  }
}
