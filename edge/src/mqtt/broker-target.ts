import type { IClientOptions } from 'mqtt';

type Protocol = 'mqtt' | 'mqtts' | 'ws' | 'wss';

/**
 * What mqtt.connect takes for a list of brokers (validated by the edge config): the first URL, plus —
 * for a cluster — mqtt.js's `servers` rotation, in which every new connection attempt (the first, and
 * each reconnect after a lost or refused connection) goes to the next node, round and round.
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
