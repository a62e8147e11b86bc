/**
 * npm run bench:ingest [-- --quick] [--only embedded|mosquitto|nats] [--db sqlite|pg] [--rates 1000,10000]
 * Edge outbox → broker → hub at rising offered rates: sustained events/s stored and counted, and
 * publish→socket latency p50/p99, on SQLite and PostgreSQL; plus the bare broker's rate and the
 * hub/broker ratio. The hub runs as its own process; the edge agent and simulator run here.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { startEdge } from '../edge/src/edge-app.js';
import { credentialedEdgeConfig, login, TEST_ADMIN_ENV } from '../test/support/hub-auth.js';
import { HubProcess } from '../test/support/hub-process.js';
import { PrivateMosquitto } from '../test/support/mosquitto.js';
import { PrivateNats } from '../test/support/nats.js';
import { freePort } from '../test/support/ports.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { testSite } from '../test/support/test-site.js';
import { IngestMeter, type StepResult } from './ingest-meter.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, rates: { type: 'string' }, db: { type: 'string' } },
});
if (values.db && !['sqlite', 'pg'].includes(values.db)) throw new Error('--db sqlite|pg');
const withDb = (db: 'sqlite' | 'pg') => !values.db || values.db === db;
const KINDS = ['embedded', 'mosquitto', 'nats'] as const;
const only = values.only?.split(',');
if (only?.some((k) => !(KINDS as readonly string[]).includes(k))) throw new Error(`--only ${KINDS.join('|')} (comma-separated)`);
const run = (kind: (typeof KINDS)[number]) => !only || only.includes(kind);
const RATES = values.rates ? values.rates.split(',').map(Number) : values.quick ? [1000, 5000] : [1000, 2500, 5000, 10_000, 20_000];
if (!RATES.includes(1000)) throw new Error('--rates must include 1000 (the latency target is at 1000 events/s)');
const STEP_S = values.quick ? 3 : 5;
const GATES = 10;

async function bareBrokerRate(url: string, n = 20_000): Promise<number> {
  const sub = await mqtt.connectAsync(url, { clientId: `bench-sub-${Date.now()}`, clean: true });
  const pub = await mqtt.connectAsync(url, { clientId: `bench-pub-${Date.now()}`, clean: true });
  const topic = `bench/${Date.now()}`;
  await sub.subscribeAsync(topic, { qos: 1 });
  let got = 0;
  const done = new Promise<void>((r) => sub.on('message', () => ++got === n && r()));
  const payload = Buffer.alloc(230, 0x61); // about the size of a gate event
  const t0 = performance.now();
  let inflight = 0;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (inflight < 200 && sent < n) {
        inflight++;
        sent++;
        pub.publish(topic, payload, { qos: 1 }, () => {
          inflight--;
          if (sent < n) pump();
          else if (inflight === 0) resolve();
        });
      }
    };
    pump();
  });
  await done;
  const rate = n / ((performance.now() - t0) / 1000);
  await sub.endAsync();
  await pub.endAsync();
  return rate;
}

async function runConfig(
  label: string,
  env: Record<string, string>,
  externalBroker: string | null,
): Promise<{ label: string; steps: StepResult[]; broker: number }> {
  const site = testSite('bench');
  let mqttPort = 0;
  if (!externalBroker) {
    mqttPort = await freePort();
    env.EMBEDDED_MQTT_PORT = String(mqttPort);
    env.EMBEDDED_MQTT_HOST = '127.0.0.1';
  }
  const brokerUrl = externalBroker ?? `mqtt://127.0.0.1:${mqttPort}`;
  // Its own shared-subscription group: a stopped hub's persistent sessions stay in their group on the
  // broker and take their share of its messages (see README, "Brokers").
  const hub = new HubProcess({
    HUB_INGEST_GROUP: `b${Date.now().toString(36)}`,
    ...env,
    HUB_SITES_FILE: site.sitesFile,
    SQLITE_PATH: `${site.dir}/hub.db`,
    LOG_LEVEL: 'warn',
    HUB_INSTANCE_ID: `bench-${Date.now()}`,
    ...TEST_ADMIN_ENV,
  });
  // The site file has 3 gates; the simulator spreads load over GATES gates, so register those.
  const { writeFileSync } = await import('node:fs');
  const { stringify } = await import('yaml');
  writeFileSync(
    site.sitesFile,
    stringify({
      sites: [
        {
          id: site.siteId,
          name: 'Bench',
          kind: 'station',
          zones: [
            { id: 'sanh-a', name: 'A' },
            { id: 'sanh-b', name: 'B' },
          ],
          gates: Array.from({ length: GATES }, (_, i) => ({ id: `sim-g${i + 1}`, zone: i % 2 ? 'sanh-b' : 'sanh-a', name: `G${i + 1}` })),
        },
      ],
    }),
  );
  await hub.start();
  const cfg = site.edgeConfig(brokerUrl);
  cfg.gates = Array.from({ length: GATES }, (_, i) => ({
    id: `sim-g${i + 1}`,
    zone: i % 2 ? 'sanh-b' : 'sanh-a',
    name: `G${i + 1}`,
    cameras: [],
  }));
  cfg.outbox.synchronous = 'NORMAL';
  // The embedded broker admits hub-issued gate logins only; the bench's private Mosquitto is anonymous.
  const edge = await startEdge(externalBroker ? cfg : await credentialedEdgeConfig(hub.url, cfg), false);
  const meter = await IngestMeter.open(hub.url, (await login(hub.url)).accessToken, site.siteId);
  const steps: StepResult[] = [];
  for (const rate of RATES) {
    const r = await meter.step(cfg, edge.outbox, rate, STEP_S);
    steps.push(r);
    console.log(
      `  ${label.padEnd(26)} offered ${String(rate).padStart(6)}/s → stored+counted ${String(r.stored).padStart(6)}/s, publish→socket p50 ${r.p50} ms p99 ${r.p99} ms`,
    );
  }
  meter.close();
  await edge.close();
  await hub.stop();
  // The bare broker, same kind, no hub.
  let broker: number;
  if (externalBroker) broker = await bareBrokerRate(externalBroker);
  else {
    const port = await freePort();
    const p = spawn(process.execPath, ['dist/bench/aedes-broker.js', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => p.stdout!.once('data', r));
    broker = await bareBrokerRate(`mqtt://127.0.0.1:${port}`);
    p.kill('SIGTERM');
  }
  return { label, steps, broker };
}

const results = [];
const { cpus, loadavg } = await import('node:os');
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`bench:ingest — ${GATES} simulated gates, ${STEP_S} s per step, rates ${RATES.join(', ')} events/s`);
if (run('embedded')) {
  if (withDb('sqlite')) results.push(await runConfig('aedes (embedded) + SQLite', {}, null));
  if (withDb('pg')) {
    const pg = await createTestDatabase();
    try {
      results.push(await runConfig('aedes (embedded) + PG', { DATABASE_URL: pg.url }, null));
    } finally {
      await pg.drop();
    }
  }
}
if (run('mosquitto')) {
  // Mosquitto with deploy/mosquitto/mosquitto.conf (raised queue limits); the host's default-config
  // Mosquitto would drop messages queued past 1000 once the hub falls behind.
  const mosq = new PrivateMosquitto({ anonymous: true }); // throughput, not broker security
  await mosq.start();
  try {
    if (withDb('sqlite')) {
      results.push(await runConfig('Mosquitto + SQLite', { MQTT_URL: mosq.url }, mosq.url));
      results.push(await runConfig('Mosquitto shared×8 + SQLite', { MQTT_URL: mosq.url, HUB_INGEST_SHARED: 'true' }, mosq.url));
    }
    if (withDb('pg')) {
      for (const [label, extra] of [
        ['Mosquitto + PG', {}],
        ['Mosquitto shared×8 + PG', { HUB_INGEST_SHARED: 'true' }],
      ] as const) {
        const pg2 = await createTestDatabase();
        try {
          results.push(await runConfig(label, { MQTT_URL: mosq.url, DATABASE_URL: pg2.url, ...extra }, mosq.url));
        } finally {
          await pg2.drop();
        }
      }
    }
  } finally {
    await mosq.stop();
  }
}
if (run('nats')) {
  // nats-server with deploy/nats/nats.conf (JetStream, MQTT listener), its own ports and store.
  const nats = new PrivateNats();
  await nats.start();
  const pg3 = await createTestDatabase();
  try {
    results.push(await runConfig('NATS (MQTT) + PG', { MQTT_URL: nats.url, DATABASE_URL: pg3.url }, nats.url));
  } finally {
    await pg3.drop();
    await nats.stop();
  }
}
console.log(
  `load average at end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('\nsummary (best sustained rate, latency at 1000/s, bare broker rate, hub/broker)');
for (const r of results) {
  const best = Math.max(...r.steps.map((s) => s.stored));
  const at1k = r.steps.find((s) => s.offered === 1000)!;
  console.log(
    `  ${r.label.padEnd(26)} ${String(best).padStart(6)} ev/s  p50 ${at1k.p50} ms p99 ${at1k.p99} ms  broker ${Math.round(r.broker)} msg/s  ratio ${(best / r.broker).toFixed(2)}`,
  );
}
process.exit(0);
