/**
 * npm run bench:hardening [-- --events 300000 --exports 10 --oversize-mb 64 --oversize-conns 4]
 * Issue #23's figures, from a hub running as its own process (SQLite, embedded broker):
 *  1. A gate publishes events (QoS 1, 20/s) while /health is probed every 200 ms: first alone, then
 *     while 10 year-long CSV exports are asked for at once by one manager, then by 10 managers. Prints
 *     PUBACK p50/p99/max, /health p99/max and how many exports ran or were refused (429).
 *  2. A gate's connections each send an oversized lane-state message: prints the hub's idle and peak
 *     RSS (sampled every 50 ms) and /health latency meanwhile.
 */
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { v7 } from 'uuid';
import { topics } from '../libs/contracts/src/index.js';
import { authedFetch, issueGateCredentials, login, TEST_ADMIN_ENV } from '../test/support/hub-auth.js';
import { HubProcess } from '../test/support/hub-process.js';
import { freePort } from '../test/support/ports.js';
import { testSite } from '../test/support/test-site.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    exports: { type: 'string', default: '10' },
    'oversize-mb': { type: 'string', default: '64' },
    'oversize-conns': { type: 'string', default: '4' },
  },
});
const EVENTS = Number(values.events);
const EXPORTS = Number(values.exports);
const DAY = 86_400_000;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Publishes a valid event every 50 ms and records each PUBACK's latency until stopped. */
function gateLoad(client: MqttClient, siteId: string) {
  const lat: number[] = [];
  let on = true;
  const run = (async () => {
    while (on) {
      const ev = {
        eventId: v7(),
        siteId,
        zoneId: 'sanh-a',
        gateId: 'g1',
        direction: 'entry',
        source: 'camera',
        occurredAt: new Date().toISOString(),
      };
      const t0 = performance.now();
      await client.publishAsync(topics.gateEvents(siteId, 'g1'), Buffer.from(JSON.stringify(ev)), { qos: 1 });
      lat.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { lat, stop: async () => ((on = false), await run) };
}

/** Probes /health every 200 ms until stopped. */
function healthProbe(url: string) {
  const lat: number[] = [];
  let failed = 0;
  let on = true;
  const run = (async () => {
    while (on) {
      const t0 = performance.now();
      const ok = await fetch(`${url}/health`).then(
        (r) => (r.arrayBuffer(), true),
        () => false,
      );
      if (ok) lat.push(performance.now() - t0);
      else failed++;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return { lat, failed: () => failed, stop: async () => ((on = false), await run) };
}

async function exportsAtOnce(url: string, tokens: string[]): Promise<{ ok: number; refused: number; other: number; secs: number }> {
  const t0 = performance.now();
  const res = await Promise.all(
    tokens.map(async (tok) => {
      const r = await fetch(url, { headers: { authorization: `Bearer ${tok}` } });
      if (r.status === 200) for await (const _ of r.body!) void _;
      else await r.arrayBuffer();
      return r.status;
    }),
  );
  return {
    ok: res.filter((s) => s === 200).length,
    refused: res.filter((s) => s === 429).length,
    other: res.filter((s) => s !== 200 && s !== 429).length,
    secs: (performance.now() - t0) / 1000,
  };
}

async function main(): Promise<void> {
  const site = testSite('hb');
  const mqttPort = await freePort();
  const env = {
    HUB_SITES_FILE: site.sitesFile,
    SQLITE_PATH: join(site.dir, 'hub.db'),
    EMBEDDED_MQTT_PORT: String(mqttPort),
    EMBEDDED_MQTT_HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    HUB_RETENTION_INTERVAL_MIN: '0',
    ...TEST_ADMIN_ENV,
  };
  const first = new HubProcess(env);
  await first.start();
  await first.stop();
  const to = Math.floor(Date.now() / DAY) * DAY;
  const from = to - 366 * DAY;
  const db = new Database(env.SQLITE_PATH);
  const insert = db.prepare(
    'INSERT INTO gate_events (event_id, site_id, zone_id, gate_id, lane_id, direction, source, occurred_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < EVENTS; i++) {
      const at = from + Math.floor((i / EVENTS) * 366 * DAY);
      insert.run(v7(), site.siteId, 'sanh-a', 'g1', null, i % 2 ? 'exit' : 'entry', 'camera', at, at + 50);
    }
  })();
  db.close();
  console.log(`seeded ${EVENTS.toLocaleString('en')} events over 366 days`);
  const hub = new HubProcess(env);
  await hub.start();
  try {
    const admin = (await login(hub.url)).accessToken;
    const managers: string[] = [];
    for (let i = 0; i < EXPORTS; i++) {
      const name = `bench.manager${i}`;
      await authedFetch(admin)(`${hub.url}/api/users`, {
        method: 'POST',
        body: { mustChangePassword: false, username: name, password: 'bench-password-long-1', role: 'manager', siteIds: [site.siteId] },
      });
      managers.push((await login(hub.url, name, 'bench-password-long-1')).accessToken);
    }
    const cred = (await issueGateCredentials(hub.url, admin, site.siteId, ['g1'])).get('g1')!;
    const gate = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: cred.username,
      username: cred.username,
      password: cred.password,
      protocolVersion: 4,
    });
    const url = `${hub.url}/api/reports/export?siteId=${site.siteId}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&format=csv`;

    const phase = async (name: string, work: () => Promise<string>) => {
      const g = gateLoad(gate, site.siteId);
      const h = healthProbe(hub.url);
      const what = await work();
      await g.stop();
      await h.stop();
      console.log(
        `${name}: PUBACK p50 ${ms(pct(g.lat, 50))} p99 ${ms(pct(g.lat, 99))} max ${ms(Math.max(...g.lat))} (${g.lat.length} events); /health p50 ${ms(pct(h.lat, 50))} p99 ${ms(pct(h.lat, 99))} max ${ms(Math.max(...h.lat))}${h.failed() ? ` (${h.failed()} probes failed)` : ''}${what ? `; ${what}` : ''}`,
      );
    };
    await phase('idle (no export)', async () => (await new Promise((r) => setTimeout(r, 5000)), ''));
    await phase(`${EXPORTS} exports by one manager`, async () => {
      const r = await exportsAtOnce(url, Array(EXPORTS).fill(managers[0]));
      return `${r.ok} ran, ${r.refused} refused (429), ${r.other} other, ${r.secs.toFixed(1)} s`;
    });
    await phase(`${EXPORTS} exports by ${EXPORTS} managers`, async () => {
      const r = await exportsAtOnce(url, managers);
      return `${r.ok} ran, ${r.refused} refused (429), ${r.other} other, ${r.secs.toFixed(1)} s`;
    });

    // Oversized lane states over several connections of the gate (its own client-id suffixes).
    const mb = Number(values['oversize-mb']);
    const conns = Number(values['oversize-conns']);
    const big = Buffer.alloc(mb * 1024 * 1024, 0x7b);
    const clients = await Promise.all(
      Array.from({ length: conns }, (_, i) =>
        mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
          clientId: `${cred.username}:big${i}`,
          username: cred.username,
          password: cred.password,
          protocolVersion: 4,
        }),
      ),
    );
    const idle = rssMb(hub.pid!);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(hub.pid!))), 50);
    const h = healthProbe(hub.url);
    const t0 = performance.now();
    await Promise.all(clients.map((c) => c.publishAsync(topics.gateLanes(site.siteId, 'g1'), big, { qos: 1 })));
    const secs = (performance.now() - t0) / 1000;
    await h.stop();
    clearInterval(sampler);
    console.log(
      `oversize: ${conns} connections × ${mb} MB lane states, all acknowledged in ${secs.toFixed(1)} s; hub RSS idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB; /health p99 ${ms(pct(h.lat, 99))} max ${ms(Math.max(...h.lat))}`,
    );
    await Promise.all([...clients, gate].map((c) => c.endAsync()));
  } catch (e) {
    console.error(`--- hub (exited: ${JSON.stringify(hub.exited)}) ---\n${hub.log.slice(-3000)}`);
    throw e;
  } finally {
    await hub.stop();
  }
}

await main();
