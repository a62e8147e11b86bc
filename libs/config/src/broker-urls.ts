import type { IClientOptions } from 'mqtt';
import { z } from 'zod';

/**
 * Broker URLs as edge and hub take them: one broker, or the nodes of one broker cluster (e.g. NATS),
 * handed to mqtt.js as its `servers` rotation.
 */

/**
 * One broker URL: mqtt(s):// or ws(s)://, a host and optional port (and a path for WebSocket); no login
 * (that goes in `loginWhere`), query or fragment. `field` names it in errors.
 */
export const BrokerUrlSchema = (field: string, loginWhere: string) =>
  z.string().superRefine((s, ctx) => {
    if (!/^(mqtt|mqtts|ws|wss):\/\//.test(s))
      return void ctx.addIssue({ code: 'custom', message: `${field} must start with mqtt://, mqtts://, ws:// or wss://` });
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return void ctx.addIssue({ code: 'custom', message: `${field}: "${s}" is not a URL` });
    }
    if (!u.hostname) ctx.addIssue({ code: 'custom', message: `${field}: "${s}" names no host` });
    if (u.username || u.password) ctx.addIssue({ code: 'custom', message: `${field}: put the login in ${loginWhere}, not in the URL` });
    if (u.search || u.hash) ctx.addIssue({ code: 'custom', message: `${field}: "${s}" has a query or fragment` });
  });

/** What is wrong with a list of cluster nodes (each URL already valid on its own): index and message. */
export function brokerListIssues(urls: readonly string[], field: string): { index: number; message: string }[] {
  const issues: { index: number; message: string }[] = [];
  const parsed = urls.map((u) => new URL(u));
  const seen = new Set<string>();
  parsed.forEach((u, i) => {
    if (u.protocol !== parsed[0]!.protocol)
      issues.push({ index: i, message: `every broker in ${field} uses one scheme (${parsed[0]!.protocol}//), not ${u.protocol}//` });
    // mqtt.js takes the path (MQTT over WebSocket) from the first URL only.
    if (u.protocol.startsWith('ws') && u.pathname !== parsed[0]!.pathname)
      issues.push({ index: i, message: `every broker in ${field} has the same path (${parsed[0]!.pathname}), not ${u.pathname}` });
    const key = `${u.hostname}:${u.port}`;
    if (seen.has(key)) issues.push({ index: i, message: `${urls[i]} is listed twice in ${field}` });
    seen.add(key);
  });
  return issues;
}

type Protocol = 'mqtt' | 'mqtts' | 'ws' | 'wss';

/**
 * What mqtt.connect takes for a list of brokers: the first URL, plus — for a cluster — mqtt.js's
 * `servers` rotation, in which every new connection attempt (the first, and each reconnect after a lost
 * or refused connection) goes to the next node, round and round.
 */
export function brokerTarget(urls: readonly string[]): { url: string; options: Pick<IClientOptions, 'servers'> } {
  if (urls.length === 0) throw new Error('no broker URL');
  if (urls.length === 1) return { url: urls[0]!, options: {} };
  const servers = urls.map((s) => {
    const u = new URL(s);
    const protocol = u.protocol.slice(0, -1) as Protocol;
    const port = u.port ? Number(u.port) : { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 }[protocol];
    // WHATWG URL keeps IPv6 literals bracketed; sockets want them bare.
    return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port, protocol };
  });
  return { url: urls[0]!, options: { servers } };
}
