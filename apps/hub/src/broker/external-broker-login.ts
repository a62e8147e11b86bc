import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { HubConfig } from '../config/hub-config.js';

/**
 * The login and trust every hub client of an external broker uses (ingest, gate control, watchlist
 * sync): one place, so none of them connects to mqtts:// without the configured private CA.
 */
export function externalBrokerLogin(cfg: HubConfig): Pick<IClientOptions, 'username' | 'password' | 'ca'> {
  return {
    username: cfg.mqttUsername,
    password: cfg.mqttPassword,
    // mqtts:// with a private CA (TLS switch; see hub:mosquitto-config --tls-*).
    ca: cfg.mqttCaFile ? readFileSync(cfg.mqttCaFile) : undefined,
  };
}
