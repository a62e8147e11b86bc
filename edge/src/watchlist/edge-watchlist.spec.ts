import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { WatchlistEnrolResult } from '../../../libs/contracts/src/index.js';
import { hubConfigFromEnv } from '../../../apps/hub/src/config/hub-config.js';
import { startHub } from '../../../apps/hub/src/hub-app.js';
import { DataCipher } from '../../../apps/hub/src/privacy/data-cipher.js';
import { WatchlistSyncPublisher } from '../../../apps/hub/src/watchlist/watchlist-sync.publisher.js';
import { authedFetch, issueGateCredentials, login, TEST_ADMIN_CONFIG } from '../../../test/support/hub-auth.js';
import { waitFor } from '../../../test/support/wait-for.js';
import { twoSites } from '../../../test/support/watchlist-fixtures.js';
import { EdgeWatchlist } from './edge-watchlist.js';

test(
  'watchlist delta sync: snapshot at connect, ordered deltas, offline checks from the cache, catch-up after a restart',
  { timeout: 60_000 },
  async () => {
    const s = twoSites('d');
    const hub = await startHub(
      hubConfigFromEnv(
        {},
        {
          port: 0,
          embeddedMqttPort: 0,
          embeddedMqttHost: '127.0.0.1',
          sitesFile: s.sitesFile,
          sqlitePath: `${s.dir}/hub.db`,
          dataKeyFile: `${s.dir}/keys.json`,
          jwtSecretFile: `${s.dir}/jwt.key`,
          retentionIntervalMin: 0,
          ...TEST_ADMIN_CONFIG,
        },
      ),
      false,
    );
    let edge: EdgeWatchlist | null = null;
    try {
      const token = (await login(hub.url)).accessToken;
      const admin = authedFetch(token);
      const hmac = (n: string) => hub.app.get(DataCipher).idHmac(n);
      const add = async (name: string, idNumber: string) => {
        const r = await admin(`${hub.url}/api/sites/${s.a}/watchlist`, {
          method: 'POST',
          body: { fullName: name, idNumber, severity: 'high' },
        });
        assert.equal(r.status, 201, await r.clone().text());
        return ((await r.json()) as WatchlistEnrolResult).entry.entryId;
      };
      const e1 = await add('Một', '001000000001');
      const c = (await issueGateCredentials(hub.url, token, s.a, ['g1'])).get('g1')!;
      const opts = {
        mqttUrl: `mqtt://127.0.0.1:${hub.mqttPort}`,
        siteId: s.a,
        gateId: 'g1',
        cachePath: join(s.dir, 'edge-wl.db'),
        username: c.username,
        password: c.password,
        faceThreshold: 0.93,
        reconnectMs: 200,
      };

      edge = new EdgeWatchlist(opts);
      assert.equal(edge.seq, -1);
      await edge.start();
      await waitFor(
        () => edge!.size,
        (n) => n === 1,
        10_000,
        'snapshot with the first entry',
      );
      assert.equal(edge.seq, 1);
      assert.deepEqual(
        edge.matchIdNumber(hmac('001000000001')).map((e) => e.entryId),
        [e1],
      );

      await add('Hai', '001000000002');
      await waitFor(
        () => edge!.seq,
        (q) => q === 2,
        10_000,
        'delta 2',
      );
      assert.equal(edge.matchIdNumber(hmac('001000000002')).length, 1);
      assert.equal(edge.matchIdNumber(hmac('001000000002'), 'allowlist').length, 0);
      await edge.close();

      // While the gate is away: one entry removed, one added.
      assert.equal((await admin(`${hub.url}/api/sites/${s.a}/watchlist/${e1}`, { method: 'DELETE' })).status, 204);
      await add('Ba', '001000000003');
      assert.equal(await hub.app.get(WatchlistSyncPublisher).currentSeq(s.a), 4);

      // Restart: before reaching the hub it still checks against its cache…
      edge = new EdgeWatchlist(opts);
      assert.equal(edge.seq, 2);
      assert.equal(edge.matchIdNumber(hmac('001000000001')).length, 1, 'offline: cached entry still matches');
      // …and catches up once connected.
      await edge.start();
      await waitFor(
        () => edge!.seq,
        (q) => q === 4,
        10_000,
        'caught up to seq 4',
      );
      assert.equal(edge.matchIdNumber(hmac('001000000001')).length, 0, 'removed entry gone');
      assert.equal(edge.matchIdNumber(hmac('001000000003')).length, 1);
      assert.equal(edge.size, 2);
    } finally {
      await edge?.close();
      await hub.close();
    }
  },
);
