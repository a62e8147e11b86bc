import assert from 'node:assert/strict';
import type { CountsPayload } from '../../libs/contracts/src/index.js';
import { startEdge } from '../../edge/src/edge-app.js';
import { TrafficSimulator } from '../../edge/src/simulator/traffic-simulator.js';
import { authedJson, login, TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';

export type RunningEdge = Awaited<ReturnType<typeof startEdge>>;

/** The broker side of the no-loss scenario; the spec starts and stops the broker itself. */
export interface NoLossBroker {
  /** The hub's MQTT_URL. */
  hubUrl: string;
  /** The edge's broker: one URL, or the nodes of a cluster (`mqtt.urls`). */
  edgeUrls: string | string[];
  /**
   * The outage, mid-stream while the hub is paused with thousands queued for it: resolves once the
   * broker is back (or the edge has failed over) and the edge can publish again.
   */
  disrupt(edge: RunningEdge): Promise<void>;
  /**
   * Resolves once the broker holds nothing more for the hub, so no later redelivery can come after the
   * final count. Without it the scenario reads the counts again a second later.
   */
  drained?(): Promise<void>;
}

/**
 * No loss, no double count: the edge's simulator publishes `total` events at 2 000/s through its
 * outbox; after the first 200 the hub process is paused (SIGSTOP: a hub too slow to read, so the broker
 * must queue thousands for its persistent sessions), and once half are produced the broker is
 * disrupted (`broker.disrupt`). Then the hub resumes, and every event must be stored and counted
 * exactly once: the hub's counts API and its stored-events metric both say `total`, and stay so once
 * the broker has nothing left for it.
 */
export async function runNoLossScenario(opts: { prefix: string; total: number; broker: NoLossBroker }): Promise<void> {
  const { total, broker } = opts;
  const site = testSite(opts.prefix);
  const hub = new HubProcess({
    MQTT_URL: broker.hubUrl,
    SQLITE_PATH: `${site.dir}/hub.db`,
    HUB_SITES_FILE: site.sitesFile,
    // Two persistent sessions (gate partitions) that must each hold thousands of queued messages
    // (past Mosquitto's default limit of 1000).
    HUB_INGEST_CLIENTS: '2',
    LOG_LEVEL: 'warn',
    ...TEST_ADMIN_ENV,
  });
  let edge: RunningEdge | null = null;
  try {
    await hub.start();
    const get = authedJson((await login(hub.url)).accessToken);
    const counts = async () => (await get<CountsPayload>(`${hub.url}/api/counts/today?siteId=${site.siteId}`)).site;
    const cfg = site.edgeConfig(broker.edgeUrls);
    edge = await startEdge(cfg, false);
    const sim = new TrafficSimulator(cfg, edge.outbox, { rate: 2000, limit: total });
    sim.start();

    // The hub stops consuming while the gates keep publishing: the broker must queue, not drop.
    await waitFor(
      () => sim.produced,
      (n) => n >= 200,
      10_000,
      'first events',
    );
    hub.pause();
    await waitFor(
      () => sim.produced,
      (n) => n >= total / 2,
      30_000,
      'half the events produced while the hub is paused',
    );

    await broker.disrupt(edge);
    hub.resume();

    await waitFor(() => sim.done, Boolean, 60_000, 'simulator finished');
    await waitFor(
      () => edge!.outbox.depth(),
      (d) => d === 0,
      90_000,
      'edge outbox drained',
    );
    const counted = await waitFor(counts, (s) => s.entries + s.exits >= total, 120_000, 'every event counted at the hub');
    if (broker.drained) await broker.drained();
    else await new Promise((r) => setTimeout(r, 1000));
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    const stored = Number(/cg_ingest_events_total\{result="stored"\} (\d+)/.exec(metrics)?.[1]);
    assert.equal(stored, total, 'every event stored once');
    assert.equal(counted.entries + counted.exits, total, 'exactly the number of events produced, no more, no less');
    // Redelivered copies (the broker resends what the paused hub had not acknowledged, the edge what
    // the broker had not acknowledged) are recognised, not counted.
    assert.deepEqual(await counts(), counted);
  } finally {
    await edge?.close();
    await hub.stop();
  }
}
