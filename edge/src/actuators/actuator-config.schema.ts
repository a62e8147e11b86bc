import { z } from 'zod';
import { IdSchema } from '../../../libs/contracts/src/index.js';

/**
 * How the lock behaves without power. fail-safe (maglock, fire exits): energised = locked, so the
 * output rests ON and a pulse turns it OFF. fail-secure (strike, turnstile): the output rests OFF
 * and a pulse turns it ON.
 */
export const LockModeSchema = z.enum(['fail-safe', 'fail-secure']);
export type LockMode = z.infer<typeof LockModeSchema>;

const Common = {
  id: IdSchema,
  /** How long the lock is released (or the turnstile enabled) per grant. */
  pulseMs: z.number().int().min(50).max(60_000).default(3000),
  mode: LockModeSchema.default('fail-secure'),
  /** Door contact: open longer than this after a grant → `door_held_open`. */
  heldOpenMs: z.number().int().min(1000).max(600_000).default(15_000),
  /** Door opening this long after the last grant ended still counts as that grant. */
  graceMs: z.number().int().min(0).max(30_000).default(1500),
  /** Poll interval of door-contact inputs where the device cannot push them. */
  pollMs: z.number().int().min(50).max(10_000).default(250),
};

export const SimulatedActuatorSchema = z.strictObject({ ...Common, kind: z.literal('simulator') });

/** Relay boards with an HTTP API (e.g. `http://ip/relay/1?state=on`). */
export const HttpRelayActuatorSchema = z.strictObject({
  ...Common,
  kind: z.literal('http'),
  /** Request that releases the lock, and the one that locks it again. */
  releaseUrl: z.url(),
  lockUrl: z.url(),
  method: z.enum(['GET', 'POST', 'PUT']).default('GET'),
  timeoutMs: z.number().int().min(100).max(10_000).default(1500),
  /** Optional door contact: polled URL whose body matches `doorOpenPattern` while the door is open. */
  statusUrl: z.url().optional(),
  doorOpenPattern: z.string().default('"door"\\s*:\\s*"open"'),
});

/** Turnstile / barrier controllers speaking Modbus TCP: one coil releases, one discrete input is the door contact. */
export const ModbusActuatorSchema = z.strictObject({
  ...Common,
  kind: z.literal('modbus'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(502),
  unitId: z.number().int().min(0).max(255).default(1),
  coil: z.number().int().min(0).max(65535),
  doorInput: z.number().int().min(0).max(65535).optional(),
  timeoutMs: z.number().int().min(100).max(10_000).default(1000),
});

/** A relay on a Linux GPIO line through the libgpiod character device (Debian `gpiod` tools). */
export const GpioActuatorSchema = z.strictObject({
  ...Common,
  kind: z.literal('gpio'),
  chip: z
    .string()
    .regex(/^(gpiochip\d+|\d+|\/dev\/gpiochip\d+)$/)
    .default('gpiochip0'),
  line: z.number().int().min(0).max(1023),
  activeLow: z.boolean().default(false),
  doorLine: z.number().int().min(0).max(1023).optional(),
  /** Tool paths (the tests point them at recorders). */
  gpiosetPath: z.string().default('gpioset'),
  gpiomonPath: z.string().default('gpiomon'),
});

export const ActuatorConfigSchema = z.discriminatedUnion('kind', [
  SimulatedActuatorSchema,
  HttpRelayActuatorSchema,
  ModbusActuatorSchema,
  GpioActuatorSchema,
]);
export type ActuatorConfig = z.infer<typeof ActuatorConfigSchema>;
export type ActuatorConfigInput = z.input<typeof ActuatorConfigSchema>;
