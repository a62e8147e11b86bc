import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { authedFetch, login, loginFrom } from '../../../../test/support/hub-auth.js';
import { CLUSTER_REDIS_URL } from '../../../../test/support/hub-cluster.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';

const SECRET = 'lockout-cluster-secret-shared-by-both-instances';

/** A loopback address of this run only, so the Redis keys (user + address) are this test's own. */
const randomLoopback = () =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

test(
  'login lockout is shared through Redis: failures on instance A and B add up, a pair locked on one is locked on the other, other addresses are not',
  { timeout: 90_000 },
  async () => {
    const pg = await createTestDatabase();
    const redis = new Redis(CLUSTER_REDIS_URL);
    const common = {
      databaseUrl: pg.url,
      redisUrl: CLUSTER_REDIS_URL,
      jwtSecret: SECRET,
      loginRateLimit: 100,
      loginLockoutThreshold: 3,
      loginLockoutBaseS: 600,
      loginBackoffThreshold: 10_000,
    };
    // (the per-account back-off is login-backoff.spec's: off here, its Redis key is per user id, and ids repeat between test databases)
    const a = await startTwoSiteHub({ ...common, instanceId: `lock-a-${process.pid}` });
    const b = await startTwoSiteHub({ ...common, instanceId: `lock-b-${process.pid}`, sitesFile: join(a.dir, 'sites.yaml') });
    try {
      const admin = authedFetch((await login(a.hub.url)).accessToken);
      assert.equal(
        (
          await admin(`${a.hub.url}/api/users`, {
            method: 'POST',
            body: { mustChangePassword: false, username: 'mgr-x', password: 'a-long-password-1', role: 'manager', siteIds: [a.siteA] },
          })
        ).status,
        201,
      );
      const ip = randomLoopback();
      const other = randomLoopback();
      // Two wrong guesses on A and one on B: three in all, the threshold.
      assert.equal(await loginFrom(ip, a.hub.url, 'mgr-x', 'wrong-1'), 401);
      assert.equal(await loginFrom(ip, a.hub.url, 'mgr-x', 'wrong-2'), 401);
      assert.equal(await loginFrom(ip, b.hub.url, 'mgr-x', 'wrong-3'), 401);
      // Locked on both instances, even with the right password.
      assert.equal(await loginFrom(ip, b.hub.url, 'mgr-x', 'a-long-password-1'), 429, 'locked on B');
      assert.equal(await loginFrom(ip, a.hub.url, 'mgr-x', 'a-long-password-1'), 429, 'locked on A');
      // Another address is not locked, on either instance.
      assert.equal(await loginFrom(other, b.hub.url, 'mgr-x', 'a-long-password-1'), 200);
      assert.equal(await loginFrom(other, a.hub.url, 'mgr-x', 'a-long-password-1'), 200);
      // Redis holds the counter under a hash, not the address in clear.
      const keys = await redis.keys('cg:login-failures:*');
      assert.ok(keys.length >= 1);
      for (const k of keys) assert.ok(!k.includes(ip), 'no client address in the key');

      // A success resets the pair everywhere: two failures on B, a success on A, two more on B → not locked.
      assert.equal(await loginFrom(other, b.hub.url, 'mgr-x', 'wrong-4'), 401);
      assert.equal(await loginFrom(other, b.hub.url, 'mgr-x', 'wrong-5'), 401);
      assert.equal(await loginFrom(other, a.hub.url, 'mgr-x', 'a-long-password-1'), 200);
      assert.equal(await loginFrom(other, b.hub.url, 'mgr-x', 'wrong-6'), 401);
      assert.equal(await loginFrom(other, b.hub.url, 'mgr-x', 'wrong-7'), 401);
      assert.equal(await loginFrom(other, b.hub.url, 'mgr-x', 'a-long-password-1'), 200, 'the success on A cleared the count');
    } finally {
      await a.hub.close();
      await b.hub.close();
      redis.disconnect();
      await pg.drop();
    }
  },
);
