import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { startEdge } from '../../edge/src/edge-app.js';
import { TrafficSimulator } from '../../edge/src/simulator/traffic-simulator.js';
import { authedFetch, login, loginFrom, TEST_ADMIN, TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { PrivateMosquitto } from '../support/mosquitto.js';
import { createTestDatabase } from '../support/postgres.js';
import { PrivatePostgres, PrivateRedis } from '../support/private-services.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Fault injection: each of the hub's external dependencies (Redis, PostgreSQL, the external MQTT
 * broker) is a private process on its own port, killed under live gate traffic and started again.
 * The hub must stay up, say so in /health and /metrics, lose no acknowledged event and recover.
 */

const metric = async (hub: HubProcess, re: RegExp): Promise<number> =>
  Number(re.exec(await (await fetch(`${hub.url}/metrics`)).text())?.[1] ?? NaN);
const stored = (hub: HubProcess) => metric(hub, /cg_ingest_events_total\{result="stored"\} (\d+)/);
const depUp = (hub: HubProcess, dep: string) => metric(hub, new RegExp(`cg_dependency_up\\{dependency="${dep}"\\} (\\d+)`));
const health = async (hub: HubProcess) => {
  const r = await fetch(`${hub.url}/health`);
  return { code: r.status, body: (await r.json()) as { status: string; details: Record<string, { status: string; message?: string }> } };
};
const alive = (hub: HubProcess) =>
  assert.equal(hub.exited, null, `the hub process ended: ${JSON.stringify(hub.exited)}\n--- hub log ---\n${hub.log.slice(-3000)}`);

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

test(
  'Redis killed under live traffic: the hub keeps ingesting and serving logins (no crash, no hang), reports degraded in /health and /metrics, starts with Redis down, and uses Redis again once it is back',
  { timeout: 180_000 },
  async () => {
    const site = testSite('fr');
    const redis = new PrivateRedis();
    const broker = new PrivateMosquitto({ anonymous: true }); // not a broker-security test
    const db = await createTestDatabase();
    cleanups.push(
      () => db.drop(),
      () => broker.stop(),
      () => redis.stop(),
    );
    await redis.start();
    await broker.start();
    const hub = new HubProcess({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      MQTT_URL: broker.url,
      HUB_INGEST_CLIENTS: '2',
      HUB_SITES_FILE: site.sitesFile,
      HUB_LOGIN_LOCKOUT_THRESHOLD: '3',
      LOG_LEVEL: 'warn',
      ...TEST_ADMIN_ENV,
    });
    cleanups.push(() => hub.stop());
    await hub.start();
    assert.equal((await health(hub)).body.details.redis?.status, 'up');
    assert.equal(await depUp(hub, 'redis'), 1);
    const session = await login(hub.url);

    // A socket on the wall, so pushes go through the Socket.IO Redis adapter.
    const edge = await startEdge(site.edgeConfig(broker.url), false);
    cleanups.push(() => edge.close());
    await redis.kill();
    const sim = new TrafficSimulator(site.edgeConfig(broker.url), edge.outbox, { rate: 100, limit: 300 });
    sim.start();
    await waitFor(
      () => stored(hub),
      (n) => n >= 300,
      60_000,
      'events stored while Redis is down',
    );

    // Logins answer at once (no 500, no hang) and the lockout still holds, on this instance's own state.
    const t0 = Date.now();
    const ok = await fetch(`${hub.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(TEST_ADMIN),
    });
    assert.equal(ok.status, 200);
    assert.ok(Date.now() - t0 < 3000, `login took ${Date.now() - t0} ms with Redis down`);
    const wrong: number[] = [];
    for (let i = 0; i < 4; i++) wrong.push(await loginFrom('127.0.0.9', hub.url, TEST_ADMIN.username, 'not-the-password'));
    assert.deepEqual(wrong, [401, 401, 401, 429], 'lockout on local state while Redis is down');
    assert.equal(
      (await authedFetch(session.accessToken)(`${hub.url}/api/sites`)).status,
      200,
      'tokens still checked (revocations kept locally)',
    );

    // Degraded, not down: the balancer keeps the instance; Prometheus sees the outage.
    const h = await waitFor(
      () => health(hub),
      (x) => x.body.details.redis?.status === 'down' && Number((x.body.details.redis as { downForS?: number }).downForS) >= 5,
      20_000,
      '/health reporting 5 s of Redis outage',
    );
    assert.equal(h.code, 200);
    assert.equal(h.body.status, 'degraded');
    assert.equal(await depUp(hub, 'redis'), 0);
    alive(hub);

    // A restart with Redis still down: the hub starts (degraded) instead of crash-looping.
    await hub.stop();
    await hub.start();
    assert.equal((await health(hub)).body.status, 'degraded');
    const sim2 = new TrafficSimulator(site.edgeConfig(broker.url), edge.outbox, { rate: 100, limit: 100 });
    sim2.start();
    await waitFor(
      () => stored(hub),
      (n) => n >= 100,
      60_000,
      'events stored after a start with Redis down',
    );
    alive(hub);

    // Redis back on the same address: the hub uses it again without a restart.
    await redis.start();
    await waitFor(
      () => health(hub),
      (x) => x.body.status === 'ok' && x.body.details.redis?.status === 'up',
      30_000,
      '/health: Redis up again',
    );
    assert.equal(await depUp(hub, 'redis'), 1);
    for (let i = 0; i < 2; i++) assert.equal(await loginFrom('127.0.0.10', hub.url, TEST_ADMIN.username, 'wrong-again'), 401);
    const r = new Redis(redis.url);
    try {
      assert.ok((await r.keys('cg:login-failures:*')).length >= 1, 'failed logins are counted in Redis again');
    } finally {
      r.disconnect();
    }
    alive(hub);
  },
);

test(
  'PostgreSQL killed under live traffic: the hub stays up, /health 503 and cg_dependency_up{database} 0 meanwhile, no acknowledged event lost; it stores the backlog once PostgreSQL is back',
  { timeout: 180_000 },
  async () => {
    const site = testSite('fp');
    const pgsql = new PrivatePostgres();
    const broker = new PrivateMosquitto({ anonymous: true });
    cleanups.push(
      () => broker.stop(),
      () => pgsql.stop(),
    );
    await pgsql.start();
    await broker.start();
    const hub = new HubProcess({
      DATABASE_URL: pgsql.url,
      MQTT_URL: broker.url,
      HUB_INGEST_CLIENTS: '2',
      HUB_SITES_FILE: site.sitesFile,
      LOG_LEVEL: 'error',
      ...TEST_ADMIN_ENV,
    });
    cleanups.push(() => hub.stop());
    await hub.start();
    const edge = await startEdge(site.edgeConfig(broker.url), false);
    cleanups.push(() => edge.close());
    const sim = new TrafficSimulator(site.edgeConfig(broker.url), edge.outbox, { rate: 200, limit: 1500 });
    sim.start();
    await waitFor(
      () => stored(hub),
      (n) => n >= 200,
      60_000,
      'storing before the outage',
    );
    await pgsql.kill('SIGQUIT');
    const h = await waitFor(
      () => health(hub),
      (x) => x.code === 503,
      20_000,
      '/health 503 with PostgreSQL down',
    );
    assert.equal(h.body.details.database?.status, 'down');
    assert.equal(await depUp(hub, 'database'), 0);
    await waitFor(
      () => sim.produced,
      (n) => n >= 1000,
      30_000,
      'gates keep producing during the outage',
    );
    alive(hub);
    await pgsql.start();
    await waitFor(() => sim.done, Boolean, 60_000, 'simulator finished');
    await waitFor(
      () => edge.outbox.depth(),
      (d) => d === 0,
      90_000,
      'edge outbox drained after PostgreSQL returned',
    );
    await waitFor(
      () => health(hub),
      (x) => x.code === 200,
      30_000,
      '/health 200 again',
    );
    assert.equal(await depUp(hub, 'database'), 1);
    // The broker queued what the hub could not acknowledge; the hub works through it after its retry back-off.
    await waitFor(
      () => stored(hub),
      (n) => n >= 1500,
      60_000,
      'the queued events stored',
    );
    // Every acknowledged event is in the database, once.
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: pgsql.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM gate_events');
      assert.equal(Number(rows[0]!.n), 1500);
      assert.equal(Number(rows[0]!.d), 1500);
    } finally {
      await c.end();
    }
    alive(hub);
  },
);

test(
  'the external broker killed and restarted: the hub stays up, /health 503 and cg_dependency_up{mqtt} 0 meanwhile, reconnects by itself and stores what the gates resend',
  { timeout: 180_000 },
  async () => {
    const site = testSite('fb');
    const broker = new PrivateMosquitto({ anonymous: true });
    cleanups.push(() => broker.stop());
    await broker.start();
    const hub = new HubProcess({
      SQLITE_PATH: `${site.dir}/hub.db`,
      MQTT_URL: broker.url,
      HUB_INGEST_CLIENTS: '2',
      HUB_SITES_FILE: site.sitesFile,
      LOG_LEVEL: 'error',
      ...TEST_ADMIN_ENV,
    });
    cleanups.push(() => hub.stop());
    await hub.start();
    const edge = await startEdge(site.edgeConfig(broker.url), false);
    cleanups.push(() => edge.close());
    const sim = new TrafficSimulator(site.edgeConfig(broker.url), edge.outbox, { rate: 200, limit: 1200 });
    sim.start();
    await waitFor(
      () => stored(hub),
      (n) => n >= 200,
      60_000,
      'storing before the outage',
    );
    await broker.stop(); // a restart of the broker service (its persistence written)
    const h = await waitFor(
      () => health(hub),
      (x) => x.code === 503,
      20_000,
      '/health 503 with the broker down',
    );
    assert.equal(h.body.details.mqtt?.status, 'down');
    assert.equal(await depUp(hub, 'mqtt'), 0);
    alive(hub);
    await broker.start();
    await waitFor(
      () => health(hub),
      (x) => x.code === 200,
      30_000,
      '/health 200 after the broker returned',
    );
    await waitFor(() => sim.done, Boolean, 60_000, 'simulator finished');
    await waitFor(
      () => edge.outbox.depth(),
      (d) => d === 0,
      90_000,
      'edge outbox drained',
    );
    await waitFor(
      () => stored(hub),
      (n) => n >= 1200,
      30_000,
      'every event stored',
    );
    assert.equal(await depUp(hub, 'mqtt'), 1);
    alive(hub);
  },
);
