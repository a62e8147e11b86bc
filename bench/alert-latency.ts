/**
 * npm run bench:alert-latency [-- --rate 1000 --seconds 20 --entries 500 --match-every 50]
 * Event → alert on a security socket under load: the hub runs as its own process (embedded broker,
 * SQLite); gates publish card events at --rate events/s over MQTT, one in --match-every carrying the
 * CCCD number of a watchlisted person; each alert's arrival on the socket minus its event's time
 * (stamped at publish) gives the latency. Prints p50/p99/max and alerts expected vs received. With fewer
 * --entries than matches, an entry is seen again within the grouping window: those sightings fold into
 * its open alert and arrive as `alert:update` (sightings + 1), timed the same way from the sighting's event.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { io } from 'socket.io-client';
import { v7 } from 'uuid';
import { SocketEvents, topics, type Alert, type GateEvent } from '../libs/contracts/src/index.js';
import { authedFetch, issueGateCredentials, login, TEST_ADMIN_ENV } from '../test/support/hub-auth.js';
import { HubProcess } from '../test/support/hub-process.js';
import { freePort } from '../test/support/ports.js';
import { testSite } from '../test/support/test-site.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    entries: { type: 'string', default: '500' },
    'match-every': { type: 'string', default: '50' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const ENTRIES = Number(values.entries);
const MATCH_EVERY = Number(values['match-every']);
const GATES = ['g1', 'g2', 'g3'];

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : NaN;
const listed = (i: number) => `0790${String(i).padStart(8, '0')}`;
const unlisted = (i: number) => `0011${String(i % 1e8).padStart(8, '0')}`;

async function main(): Promise<void> {
  const site = testSite('alert');
  const mqttPort = await freePort();
  const hub = new HubProcess({
    HUB_SITES_FILE: site.sitesFile,
    SQLITE_PATH: join(site.dir, 'hub.db'),
    HUB_DATA_KEY_FILE: join(site.dir, 'keys.json'),
    HUB_JWT_SECRET_FILE: join(site.dir, 'jwt.key'),
    EMBEDDED_MQTT_PORT: String(mqttPort),
    EMBEDDED_MQTT_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    HUB_RETENTION_INTERVAL_MIN: '0',
    ...TEST_ADMIN_ENV,
  });
  await hub.start();
  const clients: mqtt.MqttClient[] = [];
  const socket = { current: null as ReturnType<typeof io> | null };
  try {
    const adminToken = (await login(hub.url)).accessToken;
    const admin = authedFetch(adminToken);
    const t0 = performance.now();
    for (let i = 0; i < ENTRIES; i++) {
      const r = await admin(`${hub.url}/api/sites/${site.siteId}/watchlist`, {
        method: 'POST',
        body: { fullName: `Đối tượng ${i}`, idNumber: listed(i), severity: 'high', reason: 'bench' },
      });
      if (r.status !== 201) throw new Error(`enrol ${i}: ${r.status} ${await r.text()}`);
    }
    console.log(`enrolled ${ENTRIES} watchlist entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await admin(`${hub.url}/api/users`, {
      method: 'POST',
      body: { mustChangePassword: false, username: 'bench-sec', password: 'a-long-password-123', role: 'security', siteIds: [site.siteId] },
    });
    const sec = (await login(hub.url, 'bench-sec', 'a-long-password-123')).accessToken;

    const latencies: number[] = [];
    const s = io(hub.url, { transports: ['websocket'], auth: { token: sec } });
    socket.current = s;
    s.on(SocketEvents.alertNew, (a: Alert) => latencies.push(Date.now() - Date.parse(a.occurredAt)));
    const folds: number[] = [];
    s.on(SocketEvents.alertUpdate, (a: Alert) => folds.push(Date.now() - Date.parse(a.lastSeenAt)));
    await new Promise<void>((r, j) => {
      s.once('connect', () => r());
      s.once('connect_error', j);
    });

    const creds = await issueGateCredentials(hub.url, adminToken, site.siteId, GATES);
    for (const g of GATES) {
      const c = creds.get(g)!;
      clients.push(
        await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
          username: c.username,
          password: c.password,
          clientId: c.username,
          protocolVersion: 4,
        }),
      );
    }

    // Paced in 10 ms ticks; each event is stamped when it is handed to the MQTT client.
    const total = RATE * SECONDS;
    let sent = 0;
    let expected = 0;
    const start = performance.now();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE));
        while (sent < due) {
          const i = sent++;
          const gate = GATES[i % GATES.length]!;
          const match = i % MATCH_EVERY === 0;
          if (match) expected++;
          const e: GateEvent = {
            eventId: v7(),
            siteId: site.siteId,
            zoneId: gate === 'g3' ? 'sanh-b' : 'sanh-a',
            gateId: gate,
            direction: i % 2 ? 'exit' : 'entry',
            source: 'card',
            occurredAt: new Date().toISOString(),
            identity: { idNumber: match ? listed((i / MATCH_EVERY) % ENTRIES) : unlisted(i), fullName: 'Bench' },
          };
          clients[i % clients.length]!.publish(topics.gateEvents(site.siteId, gate), JSON.stringify(e), { qos: 1 });
        }
        if (sent < total) setTimeout(tick, 10);
        else resolve();
      };
      tick();
    });
    const sendS = (performance.now() - start) / 1000;
    const deadline = Date.now() + 15_000;
    const distinct = Math.min(expected, ENTRIES);
    while (latencies.length + folds.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    console.log(
      `offered ${RATE} events/s for ${SECONDS} s: ${sent} events published in ${sendS.toFixed(1)} s (${(sent / sendS).toFixed(0)}/s), 1 in ${MATCH_EVERY} watchlisted`,
    );
    if (latencies.length + folds.length < expected) {
      const dead = (await (await admin(`${hub.url}/api/dead-letters`)).json()) as unknown[];
      console.log(
        `fewer alerts than expected; dead letters: ${JSON.stringify(dead.slice(0, 2)).slice(0, 600)}\n--- hub log ---\n${hub.log.slice(-1500)}`,
      );
    }
    console.log(
      `alerts on the security socket: ${latencies.length}/${distinct} new; event→alert p50 ${pct(latencies, 0.5)} ms p99 ${pct(latencies, 0.99)} ms max ${Math.max(...latencies)} ms`,
    );
    if (expected > distinct)
      console.log(
        `sightings folded into open alerts: ${folds.length}/${expected - distinct}; event→update p50 ${pct(folds, 0.5)} ms p99 ${pct(folds, 0.99)} ms max ${folds.length ? Math.max(...folds) : NaN} ms`,
      );
  } finally {
    socket.current?.disconnect();
    for (const c of clients) await c.endAsync().catch(() => undefined);
    await hub.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
