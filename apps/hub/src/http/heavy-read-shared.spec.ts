import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { CLUSTER_REDIS_URL } from '../../../../test/support/hub-cluster.js';
import { freePort } from '../../../../test/support/ports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { RedisConnection } from '../cluster/redis-connection.js';
import { hubConfigFromEnv } from '../config/hub-config.js';
import { HeavyReadLimiter } from './heavy-read.limiter.js';

/** A Redis database of this test's own (the limiter's keys are the deployment's, not per test). */
const DB_URL = `${CLUSTER_REDIS_URL.replace(/\/\d*$/, '')}/13`;

function instance(id: string, redisUrl: string | undefined, ttlS = 30) {
  const cfg = hubConfigFromEnv({}, { instanceId: id, redisUrl, heavyReadsPerUser: 2, heavyReadsTotal: 3, heavyReadSlotTtlS: ttlS });
  const redis = new RedisConnection(cfg);
  return { limiter: new HeavyReadLimiter(cfg, redis), redis };
}

const ready = (r: RedisConnection) => waitFor(() => r.ready, Boolean, 10_000, 'Redis ready');

test(
  'heavy reads with REDIS_URL: the per-user and total limits hold across hub instances; a released slot is free on the other instance',
  { timeout: 60_000 },
  async () => {
    const admin = new Redis(DB_URL);
    await admin.flushdb();
    const a = instance('heavy-a', DB_URL);
    const b = instance('heavy-b', DB_URL);
    try {
      await Promise.all([ready(a.redis), ready(b.redis)]);
      const u1a = [await a.limiter.tryAcquire('user:1'), await a.limiter.tryAcquire('user:1')];
      assert.ok(u1a.every(Boolean), 'two for user 1 on A');
      assert.equal(await b.limiter.tryAcquire('user:1'), null, 'a third for user 1 on B is refused (per user, all instances)');
      const u2 = await b.limiter.tryAcquire('user:2');
      assert.ok(u2, 'user 2 on B');
      assert.equal(await a.limiter.tryAcquire('user:3'), null, 'a fourth in all is refused (total, all instances)');
      assert.equal(await b.limiter.tryAcquire('user:3'), null);
      u1a[0]!();
      await waitFor(
        () => admin.zcard('cg:heavy-reads:all'),
        (n) => n === 2,
        5000,
        'the release reaches Redis',
      );
      assert.ok(await b.limiter.tryAcquire('user:1'), 'the slot A released is free on B');
    } finally {
      await a.redis.onApplicationShutdown();
      await b.redis.onApplicationShutdown();
      await admin.flushdb();
      admin.disconnect();
    }
  },
);

test(
  'heavy reads with REDIS_URL: a hub that dies holding slots frees them after the slot TTL; held slots are renewed meanwhile',
  { timeout: 60_000 },
  async () => {
    const admin = new Redis(DB_URL);
    await admin.flushdb();
    const dead = instance('heavy-dead', DB_URL, 3);
    const live = instance('heavy-live', DB_URL, 3);
    try {
      await Promise.all([ready(dead.redis), ready(live.redis)]);
      // The live instance holds one slot past several TTLs: it is renewed, not lost.
      const held = await live.limiter.tryAcquire('user:9');
      assert.ok(held);
      assert.ok(await dead.limiter.tryAcquire('user:1'));
      assert.ok(await dead.limiter.tryAcquire('user:2'));
      assert.equal(await live.limiter.tryAcquire('user:3'), null, 'full: 3 in all');
      // The dead one's connection goes without releasing anything (a crash): its renewals stop.
      dead.redis.command!.disconnect();
      const freed = await waitFor(() => live.limiter.tryAcquire('user:3'), Boolean, 20_000, "the dead instance's slots expire");
      assert.ok(freed);
      const members = await admin.zrange('cg:heavy-reads:all', 0, -1);
      assert.equal(members.filter((m) => m.startsWith('heavy-live:')).length, members.length, "only the live instance's slots remain");
      assert.ok(members.length >= 2, 'the slot held all along is still there (renewed)');
      held();
    } finally {
      await dead.redis.onApplicationShutdown();
      await live.redis.onApplicationShutdown();
      await admin.flushdb();
      admin.disconnect();
    }
  },
);

test('heavy reads with Redis unreachable: each instance keeps its own limits, nothing throws', { timeout: 30_000 }, async () => {
  const down = instance('heavy-down', `redis://127.0.0.1:${await freePort()}`);
  try {
    const got = [await down.limiter.tryAcquire('user:1'), await down.limiter.tryAcquire('user:1'), await down.limiter.tryAcquire('user:1')];
    assert.deepEqual(got.map(Boolean), [true, true, false], 'per user, on this instance');
    assert.ok(await down.limiter.tryAcquire('user:2'));
    assert.equal(await down.limiter.tryAcquire('user:3'), null, 'total, on this instance');
    assert.equal(down.redis.state()?.up, false, '/health reports Redis down');
  } finally {
    await down.redis.onApplicationShutdown();
  }
});
