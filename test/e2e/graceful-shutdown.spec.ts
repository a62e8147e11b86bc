import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CountsPayload } from '../../libs/contracts/src/index.js';
import { startEdge } from '../../edge/src/edge-app.js';
import { TrafficSimulator } from '../../edge/src/simulator/traffic-simulator.js';
import { authedJson, login, TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { PrivateMosquitto } from '../support/mosquitto.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';

const TOTAL = 9000;
/** The deployment's grace period (deploy/compose.yaml stop_grace_period, Kubernetes terminationGracePeriodSeconds). */
const GRACE_MS = 30_000;

test(
  'graceful shutdown (SIGTERM) mid-stream over an external broker: the hub ends its shutdown hooks within the grace period, the batch being committed is finished and acknowledged, the rest is redelivered after the restart — every event stored and counted once',
  { timeout: 300_000 },
  async (t) => {
    const site = testSite('gs');
    const broker = new PrivateMosquitto({ anonymous: true }); // about shutdown, not broker security
    await broker.start();
    const hub = new HubProcess({
      MQTT_URL: broker.url,
      SQLITE_PATH: `${site.dir}/hub.db`,
      HUB_SITES_FILE: site.sitesFile,
      HUB_INGEST_CLIENTS: '2',
      LOG_LEVEL: 'warn',
      ...TEST_ADMIN_ENV,
    });
    let edge: Awaited<ReturnType<typeof startEdge>> | null = null;
    let sim: TrafficSimulator | null = null;
    const stored = async () =>
      Number(/cg_ingest_events_total\{result="stored"\} (\d+)/.exec(await (await fetch(`${hub.url}/metrics`)).text())?.[1] ?? 0);
    try {
      await hub.start();
      edge = await startEdge(site.edgeConfig(broker.url), false);
      sim = new TrafficSimulator(site.edgeConfig(broker.url), edge.outbox, { rate: 3000, limit: TOTAL });
      sim.start();
      await waitFor(stored, (n) => n >= 1500, 30_000, 'hub storing events');
      // Mid-stream: batches are being committed and hundreds of messages are in flight to the hub.
      const t0 = Date.now();
      await hub.stop(GRACE_MS);
      // Nest's shutdown hooks end by re-raising the signal: SIGTERM once they are done, SIGKILL only if
      // the grace period ran out. How long they took is the machine's speed: printed, not asserted.
      assert.deepEqual(
        hub.exited,
        { code: null, signal: 'SIGTERM' },
        `a clean exit, not the SIGKILL after the ${GRACE_MS / 1000} s grace period\n${hub.log.slice(-2000)}`,
      );
      t.diagnostic(`shutdown hooks took ${Date.now() - t0} ms (grace period ${GRACE_MS / 1000} s)`);
      await hub.start();
      await waitFor(() => sim!.done, Boolean, 60_000, 'simulator finished');
      const get = authedJson((await login(hub.url)).accessToken);
      const counted = await waitFor(
        async () => (await get<CountsPayload>(`${hub.url}/api/counts/today?siteId=${site.siteId}`)).site,
        (s) => s.entries + s.exits >= TOTAL,
        90_000,
        'every event counted',
      );
      await waitFor(
        () => edge!.outbox.depth(),
        (d) => d === 0,
        30_000,
        'edge outbox drained',
      );
      assert.equal(counted.entries + counted.exits, TOTAL, 'nothing lost in the shutdown, nothing counted twice after the redelivery');
      assert.deepEqual((await get<CountsPayload>(`${hub.url}/api/counts/today?siteId=${site.siteId}`)).site, counted);
    } finally {
      sim?.stop();
      await edge?.close();
      await hub.stop();
      await broker.stop();
    }
  },
);
