import type { ActuatorConfig } from './actuator-config.schema.js';
import type { ActuatorDriver } from './actuator-driver.js';
import { GpioActuator } from './gpio-actuator.js';
import { HttpRelayActuator } from './http-relay-actuator.js';
import { ModbusActuator } from './modbus-actuator.js';
import { SimulatedActuator } from './simulated-actuator.js';

/** The driver an actuator's config describes. */
export function createActuator(cfg: ActuatorConfig, onError?: (e: Error) => void): ActuatorDriver {
  switch (cfg.kind) {
    case 'simulator':
      return new SimulatedActuator();
    case 'http':
      return new HttpRelayActuator(cfg, onError);
    case 'modbus':
      return new ModbusActuator(cfg, onError);
    case 'gpio':
      return new GpioActuator(cfg, onError);
  }
}
