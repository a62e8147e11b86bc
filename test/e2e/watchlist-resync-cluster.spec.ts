import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import pg from 'pg';
import { topics, type WatchlistDelta } from '../../libs/contracts/src/index.js';
import { CLAIM_MS } from '../../apps/hub/src/cluster/once-claims.js';
import { resyncClaimKey } from '../../apps/hub/src/watchlist/watchlist-sync.publisher.js';
import { authedFetch, login } from '../support/hub-auth.js';
import { CLUSTER_REDIS_URL, startHubCluster } from '../support/hub-cluster.js';
import type { HubProcess } from '../support/hub-process.js';
import { waitFor } from '../support/wait-for.js';

/** cg_watchlist_resync_requests_total of one hub instance, by result. */
const pgClient = pg.Client;

const resyncResults = async (hub: HubProcess): Promise<Record<string, number>> => {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  return Object.fromEntries(
    [...text.matchAll(/^cg_watchlist_resync_requests_total\{result="([a-z]+)"\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]),
  );
};

test(
  'two hub instances (PostgreSQL + Redis + Mosquitto): one resync request gets exactly one snapshot; a claim left by a dead instance is taken over and still answered once',
  { timeout: 120_000 },
  async () => {
    const { site, broker, a, b, close } = await startHubCluster('rs');
    const redis = new Redis(CLUSTER_REDIS_URL);
    let gate: mqtt.MqttClient | undefined;
    try {
      const admin = authedFetch((await login(a.url)).accessToken);
      assert.equal(
        (
          await admin(`${a.url}/api/sites/${site.siteId}/watchlist`, {
            method: 'POST',
            body: { fullName: 'Trần Văn R', idNumber: '001099000333' },
          })
        ).status,
        201,
      );

      // A gate's connection (the private broker takes anonymous clients): every full snapshot it receives.
      gate = await mqtt.connectAsync(broker.url, { clientId: `rs-${process.pid}-${Date.now()}`, protocolVersion: 4 });
      const snapshots: WatchlistDelta[] = [];
      gate.on('message', (_t, p) => {
        const d = JSON.parse(p.toString()) as WatchlistDelta;
        if (d.full) snapshots.push(d);
      });
      await gate.subscribeAsync(topics.siteWatchlist(site.siteId), { qos: 1 });
      const both = async () => {
        const [ra, rb] = await Promise.all([resyncResults(a), resyncResults(b)]);
        return { a: ra, b: rb, sum: (k: string) => (ra[k] ?? 0) + (rb[k] ?? 0) };
      };
      const ask = (gateId: string) => {
        const topic = topics.gateWatchlistResync(site.siteId, gateId);
        const payload = Buffer.from(JSON.stringify({ siteId: site.siteId, gateId, haveSeq: -1, requestedAt: new Date().toISOString() }));
        return { topic, payload, send: () => gate!.publishAsync(topic, payload, { qos: 1 }) };
      };

      // One request: both instances receive it, one answers, the other counts it as answered elsewhere.
      const first = ask('g1');
      await first.send();
      await waitFor(
        () => snapshots.length,
        (n) => n >= 1,
        10_000,
        'the snapshot',
      );
      const r1 = await waitFor(both, (r) => r.sum('snapshot') + r.sum('elsewhere') === 2, 10_000, 'both instances handled the request');
      assert.equal(r1.sum('snapshot'), 1, JSON.stringify(r1));
      assert.equal(r1.sum('elsewhere'), 1, JSON.stringify(r1));
      assert.equal(await redis.get(resyncClaimKey(first.topic, first.payload)), 'done', 'the request is marked answered');
      // The instance that found the claim held looks again once it could have lapsed: it must find it done.
      await new Promise((r) => setTimeout(r, CLAIM_MS + 1000));
      assert.equal(snapshots.length, 1, 'exactly one snapshot for one request');
      assert.deepEqual(
        snapshots[0]!.upserts.map((u) => u.idNumberHmac !== undefined),
        [true],
        "the site's one entry",
      );

      // An instance claimed the next request and died before answering (its claim is left in Redis,
      // as after a SIGKILL): both live instances find it held; once it lapses one of them answers.
      const second = ask('g2');
      await redis.set(resyncClaimKey(second.topic, second.payload), 'dead-instance:0', 'PX', CLAIM_MS);
      const t0 = Date.now();
      await second.send();
      const r2 = await waitFor(both, (r) => r.sum('elsewhere') === 3, 10_000, 'both instances found the claim held');
      assert.equal(r2.sum('snapshot'), 1, 'nobody answered while the claim held');
      assert.equal(snapshots.length, 1);
      await waitFor(
        () => snapshots.length,
        (n) => n >= 2,
        CLAIM_MS + 10_000,
        'the request answered after the dead claim lapsed',
      );
      assert.ok(Date.now() - t0 >= CLAIM_MS - 200, `not before the claim lapsed (${Date.now() - t0} ms)`);
      assert.equal(await redis.get(resyncClaimKey(second.topic, second.payload)), 'done');
      await new Promise((r) => setTimeout(r, CLAIM_MS + 1000));
      const r3 = await both();
      assert.equal(snapshots.length, 2, `one snapshot for the taken-over request: ${JSON.stringify(r3)}`);
      assert.equal(r3.sum('snapshot'), 2);
      assert.ok(/taken over from an instance that did not finish it/.test(a.log + b.log), 'the takeover is logged');
    } finally {
      await gate?.endAsync();
      redis.disconnect();
      await close();
    }
  },
);

test(
  'two hub instances (PostgreSQL + Redis + Mosquitto): watchlist changes made on both at once go out once each, in sequence order (one instance publishes the outbox at a time)',
  { timeout: 120_000 },
  async () => {
    const { site, db, broker, a, b, close } = await startHubCluster('wo');
    const pg = new pgClient({ connectionString: db.url });
    let gate: mqtt.MqttClient | undefined;
    try {
      await pg.connect();
      const admin = authedFetch((await login(a.url)).accessToken);
      gate = await mqtt.connectAsync(broker.url, { clientId: `wo-${process.pid}-${Date.now()}`, protocolVersion: 4 });
      const deltas: number[] = [];
      gate.on('message', (_t, p) => {
        const d = JSON.parse(p.toString()) as WatchlistDelta;
        if (!d.full) deltas.push(d.seq);
      });
      await gate.subscribeAsync(topics.siteWatchlist(site.siteId), { qos: 1 });

      // 24 enrolments, half through each instance, all in flight together.
      const n = 24;
      const statuses = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          admin(`${(i % 2 ? b : a).url}/api/sites/${site.siteId}/watchlist`, {
            method: 'POST',
            body: { fullName: `Người ${i}`, idNumber: `0010990${String(10000 + i)}` },
          }).then((r) => r.status),
        ),
      );
      assert.deepEqual(statuses, Array(n).fill(201));
      await waitFor(
        () => new Set(deltas).size,
        (k) => k >= n,
        30_000,
        'a delta for every change',
      );
      // Nothing is left to publish on either instance: no later copy can come.
      await waitFor(
        async () => Number((await pg.query('SELECT count(*) AS c FROM watchlist_outbox')).rows[0].c),
        (c) => c === 0,
        30_000,
        'the outbox emptied',
      );
      assert.equal(deltas.length, n, `each delta once: ${deltas.join(',')}`);
      assert.deepEqual(
        deltas,
        [...deltas].sort((x, y) => x - y),
        'in sequence order',
      );
      assert.deepEqual(
        deltas,
        Array.from({ length: n }, (_, i) => deltas[0]! + i),
        'no gap',
      );
    } finally {
      await gate?.endAsync();
      await pg.end();
      await close();
    }
  },
);
