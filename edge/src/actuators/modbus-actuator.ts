import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import type { z } from 'zod';
import { ActuatorError, PulseTimer, type ActuatorDriver, type DoorContact } from './actuator-driver.js';
import type { ModbusActuatorSchema } from './actuator-config.schema.js';
import { DoorContactFeed, DoorContactPoller } from './door-contact.js';
import { requireOptional } from '../optional-module.js';

type ModbusClient = ModbusRTU;
// modbus-serial is CommonJS with a default-export declaration, and an optional dependency (it pulls
// in serialport's native binding): load the constructor through require when a Modbus actuator connects.
const modbusCtor = (): new () => ModbusClient => requireOptional<new () => ModbusClient>('modbus-serial', 'a Modbus TCP actuator');

/**
 * Turnstile / barrier controller over Modbus TCP: the release coil is written ON (fail-secure) or OFF
 * (fail-safe) for the pulse, the door contact is a polled discrete input. The connection is reopened
 * on demand, so a controller reboot costs one failed grant, not a dead lane.
 */
export class ModbusActuator implements ActuatorDriver {
  readonly kind = 'modbus';
  private client: ModbusClient | undefined;
  private connecting: Promise<ModbusClient> | undefined;
  private readonly door = new DoorContactFeed();
  private poller: DoorContactPoller | undefined;
  private readonly timer: PulseTimer;

  constructor(
    private readonly cfg: z.infer<typeof ModbusActuatorSchema>,
    private readonly onError: (e: Error) => void = () => undefined,
  ) {
    this.timer = new PulseTimer(() => this.write(false), onError);
  }

  private get released(): boolean {
    return this.cfg.mode === 'fail-secure';
  }

  private async connection(): Promise<ModbusClient> {
    if (this.client?.isOpen) return this.client;
    this.connecting ??= (async () => {
      const c = new (modbusCtor())();
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
    const input = this.cfg.doorInput;
    if (input === undefined) return;
    this.poller = new DoorContactPoller(
      async () => Boolean((await (await this.connection()).readDiscreteInputs(input, 1)).data[0]),
      this.cfg.pollMs,
      this.door,
      this.onError,
    );
    this.poller.start();
  }

  async release(ms: number): Promise<void> {
    await this.write(true);
    this.timer.arm(ms);
  }

  onDoor(listener: (c: DoorContact) => void): void {
    this.door.on(listener);
  }

  async close(): Promise<void> {
    this.poller?.stop();
    this.timer.cancel();
    const c = this.client;
    this.client = undefined;
    if (c?.isOpen) await new Promise<void>((r) => c.close(() => r()));
  }
}
