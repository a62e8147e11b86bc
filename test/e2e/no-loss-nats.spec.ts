import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CountsPayload } from '../../libs/contracts/src/index.js';
import { startEdge } from '../../edge/src/edge-app.js';
import { TrafficSimulator } from '../../edge/src/simulator/traffic-simulator.js';
import { authedJson, login, TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { PrivateNats } from '../support/nats.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';

const TOTAL = 6000;

test(
  'NATS (JetStream MQTT, a broker that clusters): a paused hub with thousands queued, the broker killed (SIGKILL) and restarted mid-stream → every event stored and counted once',
  { timeout: 240_000 },
  async () => {
    const site = testSite('nn');
    const broker = new PrivateNats();
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
    try {
      await hub.start();
      const get = authedJson((await login(hub.url)).accessToken);
      edge = await startEdge(site.edgeConfig(broker.url), false);
      const sim = new TrafficSimulator(site.edgeConfig(broker.url), edge.outbox, { rate: 2000, limit: TOTAL });
      sim.start();

      // The hub stops consuming while the gates keep publishing: JetStream must keep the hub's share.
      await waitFor(() => sim.produced, (n) => n >= 200, 10_000, 'first events');
      hub.pause();
      await waitFor(() => sim.produced, (n) => n >= TOTAL / 2, 30_000, 'half the events produced while the hub is paused');

      // The broker dies without warning (its JetStream files stay) and comes back on the same store;
      // meanwhile the edge's outbox holds what it could not send.
      await broker.kill();
      await waitFor(() => edge!.outbox.depth(), (d) => d > 0, 10_000, 'events waiting in the edge outbox');
      await broker.start();
      hub.resume();

      await waitFor(() => sim.done, Boolean, 60_000, 'simulator finished');
      await waitFor(() => edge!.outbox.depth(), (d) => d === 0, 90_000, 'edge outbox drained');
      const counted = await waitFor(
        async () => (await get<CountsPayload>(`${hub.url}/api/counts/today?siteId=${site.siteId}`)).site,
        (s) => s.entries + s.exits >= TOTAL,
        120_000,
        'every event counted at the hub',
      );
      const metrics = await (await fetch(`${hub.url}/metrics`)).text();
      const stored = Number(/cg_ingest_events_total\{result="stored"\} (\d+)/.exec(metrics)?.[1]);
      assert.equal(stored, TOTAL, 'every event stored once');
      assert.equal(counted.entries + counted.exits, TOTAL, 'exactly the number of events produced, no more, no less');
      // Redelivered copies (the broker resends what the paused hub had not acknowledged) are recognised, not counted.
      const final = (await get<CountsPayload>(`${hub.url}/api/counts/today?siteId=${site.siteId}`)).site;
      assert.deepEqual(final, counted);
    } finally {
      await edge?.close();
      await hub.stop();
      await broker.stop();
    }
  },
);
