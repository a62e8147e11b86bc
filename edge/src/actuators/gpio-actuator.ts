import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { ActuatorError, PulseTimer, type ActuatorDriver, type DoorContact } from './actuator-driver.js';
import { DoorContactFeed } from './door-contact.js';
import type { GpioActuatorSchema } from './actuator-config.schema.js';

/**
 * A relay on a GPIO line through the libgpiod character device, using Debian's `gpiod` tools (v1.6):
 * `gpioset` drives the line, `gpiomon` streams door-contact edges. Tools rather than a native binding:
 * no addon to build per board, and a crash of the tool cannot take the agent down.
 */
export class GpioActuator implements ActuatorDriver {
  readonly kind = 'gpio';
  private readonly door = new DoorContactFeed();
  private readonly timer: PulseTimer;
  private monitor: ChildProcess | undefined;
  private closed = false;

  constructor(
    private readonly cfg: z.infer<typeof GpioActuatorSchema>,
    private readonly onError: (e: Error) => void = () => undefined,
  ) {
    this.timer = new PulseTimer(() => this.set(false), onError);
  }

  /** Line value for released / locked: fail-secure energises to release, fail-safe de-energises. */
  private level(release: boolean): 0 | 1 {
    return (this.cfg.mode === 'fail-secure') === release ? 1 : 0;
  }

  private set(release: boolean): Promise<void> {
    const args = [
      ...(this.cfg.activeLow ? ['--active-low'] : []),
      this.cfg.chip.replace('/dev/', ''),
      `${this.cfg.line}=${this.level(release)}`,
    ];
    return new Promise((resolve, reject) => {
      const p = spawn(this.cfg.gpiosetPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.once('error', (e) => reject(new ActuatorError(`gpioset: ${e.message}`)));
      p.once('exit', (code) =>
        code === 0 ? resolve() : reject(new ActuatorError(`gpioset ${args.join(' ')}: exit ${code}: ${err.trim()}`)),
      );
    });
  }

  async init(): Promise<void> {
    await this.set(false);
    if (this.cfg.doorLine === undefined) return;
    const args = ['--line-buffered', '--format=%e %s', this.cfg.chip.replace('/dev/', ''), String(this.cfg.doorLine)];
    const m = spawn(this.cfg.gpiomonPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    m.once('error', (e) => this.onError(new ActuatorError(`gpiomon: ${e.message}`)));
    m.once('exit', (code) => !this.closed && this.onError(new ActuatorError(`gpiomon exited (${code})`)));
    // %e is 1 for a rising edge (contact opened), 0 for falling.
    createInterface({ input: m.stdout! }).on('line', (line) => {
      this.door.report(line.trim().startsWith('1'));
    });
    this.monitor = m;
  }

  async release(ms: number): Promise<void> {
    await this.set(true);
    this.timer.arm(ms);
  }

  onDoor(listener: (c: DoorContact) => void): void {
    this.door.on(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer.cancel();
    this.monitor?.kill('SIGTERM');
  }
}
