import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { CountsPayload } from '../../libs/contracts/src/index.js';
import { startEdge } from '../../edge/src/edge-app.js';
import { TrafficSimulator } from '../../edge/src/simulator/traffic-simulator.js';
import { authedJson, credentialedEdgeConfig, login, TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { freePort } from '../support/ports.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';

const TOTAL = 12_000;
const GATES = 6;
const KILLS = [2500, 5500, 8500];

/**
 * The embedded broker acknowledges an event only once it is committed: the hub process (aedes + SQLite)
 * is killed with SIGKILL three times while six gates stream 4 000 events/s with 200 in flight each,
 * restarted on the same database and port, and every event produced is stored exactly once and
 * counted once. With aedes acknowledging before the commit, each kill loses what was acknowledged
 * and still waiting in the batcher.
 */
test(
  'no loss on the embedded broker: hub SIGKILLed mid-stream three times → every event stored and counted exactly once',
  { timeout: 240_000 },
  async () => {
    const site = testSite('nle');
    const gates = Array.from({ length: GATES }, (_, i) => ({ id: `g${i + 1}`, zone: i % 2 ? 'sanh-b' : 'sanh-a', name: `Cổng ${i + 1}` }));
    writeFileSync(
      site.sitesFile,
      stringify({
        sites: [
          {
            id: site.siteId,
            name: 'No loss',
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
    const mqttPort = await freePort();
    const dbPath = `${site.dir}/hub.db`;
    const hub = new HubProcess({
      HUB_SITES_FILE: site.sitesFile,
      SQLITE_PATH: dbPath,
      EMBEDDED_MQTT_PORT: String(mqttPort),
      EMBEDDED_MQTT_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...TEST_ADMIN_ENV,
    });
    let edge: Awaited<ReturnType<typeof startEdge>> | null = null;
    try {
      await hub.start();
      const base = site.edgeConfig(`mqtt://127.0.0.1:${mqttPort}`);
      base.gates = gates.map((g) => ({ ...g, cameras: [] }));
      const cfg = await credentialedEdgeConfig(hub.url, base);
      edge = await startEdge(cfg, false);
      const sim = new TrafficSimulator(cfg, edge.outbox, { rate: 4000, limit: TOTAL });
      sim.start();
      for (const at of KILLS) {
        await waitFor(
          () => sim.produced,
          (n) => n >= at,
          30_000,
          `${at} events produced`,
        );
        // Killed while acknowledgements flow: the hub has just confirmed some events.
        const seen = edge.outbox.delivered;
        await waitFor(
          () => edge!.outbox.delivered,
          (d) => d > seen + 100,
          30_000,
          'deliveries flowing before the kill',
        );
        await hub.kill();
        await hub.start();
      }
      await waitFor(() => sim.done, Boolean, 60_000, 'simulator finished');
      await waitFor(
        () => edge!.outbox.depth(),
        (d) => d === 0,
        90_000,
        'edge outbox drained',
      );
      const get = authedJson((await login(hub.url)).accessToken);
      const counted = await get<CountsPayload>(`${hub.url}/api/counts/today?siteId=${site.siteId}`);
      await edge.close();
      edge = null;
      await hub.stop();
      const db = new Database(dbPath, { readonly: true });
      const stored = (db.prepare('SELECT COUNT(*) AS n FROM gate_events WHERE site_id = ?').get(site.siteId) as { n: number }).n;
      const minutes = (
        db.prepare('SELECT COALESCE(SUM(entries + exits), 0) AS n FROM count_minutes WHERE site_id = ?').get(site.siteId) as { n: number }
      ).n;
      db.close();
      assert.equal(sim.produced, TOTAL);
      assert.equal(stored, TOTAL, 'every event produced is stored, none lost');
      assert.equal(minutes, TOTAL, 'and counted once in the minute counts');
      assert.equal(counted.site.entries + counted.site.exits, TOTAL, "today's headcount over REST agrees");
    } finally {
      await edge?.close();
      await hub.stop();
    }
  },
);
