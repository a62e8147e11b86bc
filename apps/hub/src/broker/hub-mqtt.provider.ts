import type { Provider } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { EmbeddedBroker } from './embedded-broker.service.js';
import { EmbeddedMqtt } from './embedded-mqtt.js';
import { ExternalMqtt } from './external-mqtt.js';
import { HubMqtt } from './hub-mqtt.service.js';

/** The hub's MQTT port, chosen once at start: the embedded broker when MQTT_URL is unset, else the external one. */
export const hubMqttProvider: Provider = {
  provide: HubMqtt,
  inject: [HUB_CONFIG, EmbeddedBroker],
  useFactory: (cfg: HubConfig, broker: EmbeddedBroker): HubMqtt => (cfg.mqttUrl ? new ExternalMqtt(cfg) : new EmbeddedMqtt(broker)),
};
