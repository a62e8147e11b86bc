import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { gateMqttClientId, topics, type GateStatus } from '../../../libs/contracts/src/index.js';
import { brokerUrls, type EdgeConfig } from '../config/edge-config.schema.js';
import { brokerTarget } from '../../../libs/config/src/broker-urls.js';

/**
 * One MQTT connection per gate: each gate has its own identity (credentials, ACL, last will), so a
 * dead agent shows every one of its gates offline and a gate can only publish under its own topics.
 */
export function connectGate(cfg: EdgeConfig, gateId: string): MqttClient {
  const siteId = cfg.site.id;
  const offline: GateStatus = { siteId, gateId, state: 'offline' };
  // Per-gate credentials (the hub's broker ACL ties them to this gate's topics) win over site-wide ones.
  const login = cfg.gates.find((g) => g.id === gateId)?.mqtt ?? cfg.mqtt;
  // One broker, or the nodes of a cluster in turn: a lost connection reconnects to the next node.
  const target = brokerTarget(brokerUrls(cfg.mqtt));
  return mqtt.connect(target.url, {
    ...target.options,
    // The gate's own name: the hub's broker refuses a gate login under another gate's client id.
    clientId: gateMqttClientId(siteId, gateId),
    protocolVersion: 4,
    clean: true,
    username: login.username,
    password: login.password,
    ca: cfg.mqtt.caFile ? readFileSync(cfg.mqtt.caFile) : undefined,
    reconnectPeriod: cfg.mqtt.reconnectMs,
    // A refused CONNACK (a hub still starting, credentials being re-issued) must not end the gate's
    // link for good: mqtt.js stops reconnecting after one unless told otherwise.
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    keepalive: 15,
    queueQoSZero: false,
    will: { topic: topics.gateStatus(siteId, gateId), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
  });
}
