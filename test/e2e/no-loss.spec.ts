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

const TOTAL = 8000;

test(
  'no loss, no double count: a paused (slow) hub with thousands queued, then a broker restart mid-stream',
  { timeout: 180_000 },
  async () => {
    const site = testSite('nl');
    const broker = new PrivateMosquitto({ anonymous: true }); // about queueing and restarts, not broker security
    await broker.start();
    const hub = new HubProcess({
      MQTT_URL: broker.url,
      SQLITE_PATH: `${site.dir}/hub.db`,
      HUB_SITES_FILE: site.sitesFile,
      // Two persistent sessions (gate partitions) that must each hold thousands of queued messages,
      // past Mosquitto's default limit of 1000.
      HUB_INGEST_CLIENTS: '2',
      LOG_LEVEL: 'warn',
      ...TEST_ADMIN_ENV,
    });
    let edge: Awaited<ReturnType<typeof startEdge>> | null = null;
    try {
      await hub.start();
      const get = authedJson((await login(hub.url)).accessToken);
      edge = await startEdge(site.edgeConfig(broker.url), false);
      const sim = new TrafficSimulator(site.edgeConfig(broker.url), edge.outbox, { rate: 2000, limit: TOTAL });
      sim.start();

      // The hub stops consuming while the gates keep publishing: the broker must queue, not drop.
      await waitFor(() => sim.produced, (n) => n >= 200, 10_000, 'first events');
      hub.pause();
      await waitFor(() => sim.produced, (n) => n >= TOTAL / 2, 30_000, 'half the events produced while the hub is paused');

      // The broker goes down mid-stream and comes back; the edge's outbox holds what it could not send.
      await broker.stop();
      await waitFor(() => edge!.outbox.depth(), (d) => d > 0, 10_000, 'events waiting in the edge outbox');
      await new Promise((r) => setTimeout(r, 500));
      await broker.start();
      hub.resume();

      await waitFor(() => sim.done, Boolean, 60_000, 'simulator finished');
      await waitFor(() => edge!.outbox.depth(), (d) => d === 0, 60_000, 'edge outbox drained');
      const counted = await waitFor(
        async () => (await get<CountsPayload>(`${hub.url}/api/counts/today?siteId=${site.siteId}`)).site,
        (s) => s.entries + s.exits >= TOTAL,
        90_000,
        'every event counted at the hub',
      );
      await new Promise((r) => setTimeout(r, 1000));
      const final = (await get<CountsPayload>(`${hub.url}/api/counts/today?siteId=${site.siteId}`)).site;
      assert.equal(final.entries + final.exits, TOTAL, 'exactly the number of events produced, no more, no less');
      assert.deepEqual(final, counted);
      const metrics = await (await fetch(`${hub.url}/metrics`)).text();
      assert.match(metrics, new RegExp(`cg_ingest_events_total\\{result="stored"\\} ${TOTAL}\\b`));
    } finally {
      await edge?.close();
      await hub.stop();
      await broker.stop();
    }
  },
);
