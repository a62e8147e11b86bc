import { createRequire } from 'node:module';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import type { z } from 'zod';
import { ActuatorError, PulseTimer, type ActuatorDriver, type DoorContact } from './actuator-driver.js';
import type { ModbusActuatorSchema } from './actuator-config.schema.js';

type ModbusClient = ModbusRTU;
// modbus-serial is CommonJS with a default-export declaration; load the constructor through require.
const ModbusCtor = createRequire(import.meta.url)('modbus-serial') as new () => ModbusClient;

/**
 * Turnstile / barrier controller over Modbus TCP: the release coil is written ON (fail-secure) or OFF
 * (fail-safe) for the pulse, the door contact is a polled discrete input. The connection is reopened
 * on demand, so a controller reboot costs one failed grant, not a dead lane.
 */
export class ModbusActuator implements ActuatorDriver {
  readonly kind = 'modbus';
  private client: ModbusClient | undefined;
  private connecting: Promise<ModbusClient> | undefined;
  private readonly listeners: ((c: DoorContact) => void)[] = [];
  private poller: NodeJS.Timeout | undefined;
  private door: boolean | undefined;
  private readonly timer: PulseTimer;
  private closed = false;

  constructor(private readonly cfg: z.infer<typeof ModbusActuatorSchema>, private readonly onError: (e: Error) => void = () => undefined) {
    this.timer = new PulseTimer(() => this.write(false), onError);
  }

  private get released(): boolean {
    return this.cfg.mode === 'fail-secure';
  }

  private async connection(): Promise<ModbusClient> {
    if (this.client?.isOpen) return this.client;
    this.connecting ??= (async () => {
      const c = new ModbusCtor();
      c.setTimeout(this.cfg.timeoutMs);
      try {
        await c.connectTCP(this.cfg.host, { port: this.cfg.port });
      } catch (e) {
        throw new ActuatorError(`modbus ${this.cfg.host}:${this.cfg.port}: ${(e as Error).message}`);
      }
      c.setID(this.cfg.unitId);
      this.client = c;
      return c;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** `release` true drives the released level, false the locked one. */
  private async write(release: boolean): Promise<void> {
    const c = await this.connection();
    try {
      await c.writeCoil(this.cfg.coil, release ? this.released : !this.released);
    } catch (e) {
      c.close();
      this.client = undefined;
      throw new ActuatorError(`modbus write coil ${this.cfg.coil}: ${(e as Error).message}`);
    }
  }

  async init(): Promise<void> {
    await this.write(false);
    if (this.cfg.doorInput !== undefined) this.poll();
  }

  private poll(): void {
    if (this.closed) return;
    this.poller = setTimeout(async () => {
      try {
        const c = await this.connection();
        const r = await c.readDiscreteInputs(this.cfg.doorInput!, 1);
        const open = Boolean(r.data[0]);
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
    await this.write(true);
    this.timer.arm(ms);
  }

  onDoor(listener: (c: DoorContact) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.poller);
    this.timer.cancel();
    const c = this.client;
    this.client = undefined;
    if (c?.isOpen) await new Promise<void>((r) => c.close(() => r()));
  }
}
