import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { topics, type WatchlistDelta } from '../../../../libs/contracts/src/index.js';
import { authedFetch, issueGateCredentials, login } from '../../../../test/support/hub-auth.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { MetricsService } from '../observability/metrics.service.js';
import { RESYNC_INTERVAL_MS } from './watchlist-sync.publisher.js';

test(
  'watchlist resync: the topic decides the site; requests are rate-limited per gate and coalesced per site',
  { timeout: 60_000 },
  async () => {
    const { hub, siteA, siteB } = await startTwoSiteHub();
    const clients: mqtt.MqttClient[] = [];
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const admin = authedFetch(adminToken);
      for (const siteId of [siteA, siteB])
        assert.equal(
          (
            await admin(`${hub.url}/api/sites/${siteId}/watchlist`, {
              method: 'POST',
              body: { fullName: `Người ở ${siteId}`, idNumber: siteId === siteA ? '001099000111' : '001099000222' },
            })
          ).status,
          201,
        );
      const connect = async (siteId: string) => {
        const c = (await issueGateCredentials(hub.url, adminToken, siteId, ['g1'])).get('g1')!;
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
          username: c.username,
          password: c.password,
          clientId: c.username,
          protocolVersion: 4,
        });
        clients.push(client);
        const snapshots: WatchlistDelta[] = [];
        client.on('message', (_t, p) => {
          const d = JSON.parse(p.toString()) as WatchlistDelta;
          if (d.full) snapshots.push(d);
        });
        await client.subscribeAsync(topics.siteWatchlist(siteId), { qos: 1 });
        return { client, snapshots };
      };
      const a = await connect(siteA);
      const b = await connect(siteB);
      const results = async () => {
        const m = await hub.app.get(MetricsService).watchlistResyncs.get();
        return Object.fromEntries(m.values.map((v) => [v.labels.result, v.value])) as Record<string, number>;
      };
      const total = async () => Object.values(await results()).reduce((x, y) => x + y, 0);

      // A gate of site A names site B in the body: refused, site B's list goes nowhere.
      const ask = (siteId: string, gateId = 'g1') => JSON.stringify({ siteId, gateId, haveSeq: -1, requestedAt: new Date().toISOString() });
      await a.client.publishAsync(topics.gateWatchlistResync(siteA, 'g1'), ask(siteB), { qos: 1 });
      await waitFor(results, (r) => r.refused === 1, 5000, 'the foreign-site request is refused');
      assert.equal(b.snapshots.length, 0, "site B's snapshot was not published");
      assert.equal(a.snapshots.length, 0);

      // 200 requests in one burst: one snapshot now, one deferred to the end of the gate's window.
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: 200 }, () => a.client.publishAsync(topics.gateWatchlistResync(siteA, 'g1'), ask(siteA), { qos: 1 })),
      );
      await waitFor(total, (n) => n === 201, 10_000, 'every request handled');
      const r = await results();
      assert.equal(r.snapshot, 1, JSON.stringify(r));
      assert.equal(r.limited, 199);
      await waitFor(
        () => a.snapshots.length,
        (n) => n === 1,
        5000,
        'the first snapshot',
      );
      assert.deepEqual(
        a.snapshots[0]!.upserts.map((u) => u.idNumberHmac !== undefined),
        [true],
        "site A's one entry",
      );
      await waitFor(
        () => a.snapshots.length,
        (n) => n === 2,
        RESYNC_INTERVAL_MS + 5000,
        'the deferred snapshot at the end of the window',
      );
      assert.ok(Date.now() - t0 >= RESYNC_INTERVAL_MS - 100, 'not before the window ends');
      assert.equal(b.snapshots.length, 0, 'nothing of site B throughout');
    } finally {
      await Promise.all(clients.map((c) => c.endAsync()));
      await hub.close();
    }
  },
);
