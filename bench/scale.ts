/**
 * npm run bench:scale [-- --rates 1000,5000,10000,20000] [--step 5]
 * One hub instance, then two, behind the same PostgreSQL, Redis and Mosquitto (a shared subscription
 * splits the gates' events over the instances): the rate stored and counted, and publish→socket
 * p50/p99 on a wall connected to the first instance (the second's events reach it through Redis).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startEdge } from '../edge/src/edge-app.js';
import { login, TEST_ADMIN_ENV } from '../test/support/hub-auth.js';
import { HubProcess } from '../test/support/hub-process.js';
import { PrivateMosquitto } from '../test/support/mosquitto.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { testSite } from '../test/support/test-site.js';
import { IngestMeter, type StepResult as Step } from './ingest-meter.js';

const { values } = parseArgs({ options: { rates: { type: 'string' }, step: { type: 'string' } } });
const RATES = (values.rates ?? '1000,5000,10000,20000').split(',').map(Number);
const STEP_S = Number(values.step ?? 5);
const GATES = 10;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function runInstances(n: number, mqttUrl: string): Promise<Step[]> {
  const site = testSite('scale');
  const gates = Array.from({ length: GATES }, (_, i) => ({ id: `sim-g${i + 1}`, zone: i % 2 ? 'sanh-b' : 'sanh-a', name: `G${i + 1}` }));
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
          gates,
        },
      ],
    }),
  );
  const db = await createTestDatabase();
  const group = `s${Date.now().toString(36)}`;
  const hubs = Array.from(
    { length: n },
    (_, i) =>
      new HubProcess({
        DATABASE_URL: db.url,
        REDIS_URL,
        MQTT_URL: mqttUrl,
        HUB_INGEST_SHARED: 'true',
        HUB_INGEST_GROUP: group,
        HUB_INSTANCE_ID: `${group}-${i}`,
        HUB_SITES_FILE: site.sitesFile,
        HUB_JWT_SECRET: 'bench-scale-secret-shared-by-the-instances',
        LOG_LEVEL: 'warn',
        ...TEST_ADMIN_ENV,
      }),
  );
  const steps: Step[] = [];
  try {
    for (const h of hubs) await h.start();
    const cfg = site.edgeConfig(mqttUrl);
    cfg.gates = gates.map((g) => ({ ...g, cameras: [] }));
    cfg.outbox.synchronous = 'NORMAL';
    const edge = await startEdge(cfg, false);
    // The wall is on the first instance; the second's events reach it through Redis.
    const meter = await IngestMeter.open(hubs[0]!.url, (await login(hubs[0]!.url)).accessToken, site.siteId);
    for (const rate of RATES) {
      const s = await meter.step(cfg, edge.outbox, rate, STEP_S);
      steps.push(s);
      console.log(
        `  ${n} instance(s)  offered ${String(rate).padStart(6)}/s → stored+counted ${String(s.stored).padStart(6)}/s, publish→socket p50 ${s.p50} ms p99 ${s.p99} ms`,
      );
    }
    meter.close();
    await edge.close();
  } finally {
    for (const h of hubs) await h.stop();
    await db.drop();
  }
  return steps;
}

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `bench:scale — PostgreSQL + Redis + Mosquitto (shared subscription), ${GATES} gates, ${STEP_S} s per step, rates ${RATES.join(', ')}`,
);
const mosq = new PrivateMosquitto({ anonymous: true }); // throughput, not broker security
await mosq.start();
const results: [number, Step[]][] = [];
try {
  for (const n of [1, 2]) results.push([n, await runInstances(n, mosq.url)]);
} finally {
  await mosq.stop();
}
console.log(
  `load average at end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('\nsummary (best sustained rate; p99 at each offered rate)');
for (const [n, steps] of results)
  console.log(
    `  ${n} instance(s): ${Math.max(...steps.map((s) => s.stored))} ev/s   ${steps.map((s) => `${s.offered}/s p99 ${s.p99} ms`).join(', ')}`,
  );
process.exit(0);
