import type { Id } from './ids.js';

/**
 * MQTT login and client-id naming, shared by the hub (credentials, broker checks) and the edge.
 * A gate's username is `gate.<site>.<gate>`: ids cannot contain dots, so the name parses back to one
 * site and gate (a dash-joined name would not: site "a-b"/gate "c" and site "a"/gate "b-c" collide).
 * A gate connects with its name as client id, or `<name>:<suffix>` for a further connection (the
 * watchlist subscriber), so the broker can refuse a client id belonging to another gate.
 */
export const GATE_MQTT_PREFIX = 'gate.';

const SUFFIX = /^[A-Za-z0-9_-]{1,32}$/;

export const gateMqttName = (siteId: Id, gateId: Id) => `${GATE_MQTT_PREFIX}${siteId}.${gateId}`;

/** The client id of a gate's connection: its name, or `<name>:<suffix>` for a further one. */
export function gateMqttClientId(siteId: Id, gateId: Id, suffix?: string): string {
  if (suffix === undefined) return gateMqttName(siteId, gateId);
  if (!SUFFIX.test(suffix)) throw new Error(`MQTT client-id suffix "${suffix}" must be 1–32 chars of A-Z, a-z, 0-9, "_" or "-"`);
  return `${gateMqttName(siteId, gateId)}:${suffix}`;
}

/** May the gate logged in as `username` connect with this client id? */
export function isGateClientIdOf(username: string, clientId: string): boolean {
  if (clientId === username) return true;
  return clientId.startsWith(`${username}:`) && SUFFIX.test(clientId.slice(username.length + 1));
}

/** A client id in the gates' namespace, which no other login may take. */
export const isGateClientId = (clientId: string) => clientId.startsWith(GATE_MQTT_PREFIX);
