import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { authedFetch, login, loginFrom } from '../../../../test/support/hub-auth.js';
import { CLUSTER_REDIS_URL } from '../../../../test/support/hub-cluster.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import type { HubConfig } from '../config/hub-config.js';

/** Distinct loopback addresses of this run (the Redis keys hold user + address). */
const base = `127.${1 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}`;
let next = 1;
const address = () => `${base}.${next++}`;

const PASSWORD = 'a-long-password-1';

/**
 * The two lockouts together. Per user + address (threshold 3): a stranger locks only their own pair.
 * Per account over all addresses (threshold 6, then 60 s doubling): a guess spread over many addresses
 * is slowed — a new address is refused (429) without its password being tried — while the user's own
 * address, where they signed in before, still signs in during the hammering. Unknown names are slowed
 * the same way (a 429 does not tell which names exist). Base 60 s: nothing here depends on timing.
 */
async function scenario(extra: Partial<HubConfig>, beforeGuesses?: (userId: number) => Promise<void>) {
  const { hub, siteA } = await startTwoSiteHub({
    loginRateLimit: 10_000,
    loginLockoutThreshold: 3,
    loginLockoutBaseS: 600,
    loginBackoffThreshold: 6,
    loginBackoffBaseS: 60,
    loginBackoffMaxS: 600,
    ...extra,
  });
  try {
    const admin = authedFetch((await login(hub.url)).accessToken);
    const made = await admin(`${hub.url}/api/users`, {
      method: 'POST',
      body: { username: 'mgr-b', password: PASSWORD, role: 'manager', siteIds: [siteA] },
    });
    assert.equal(made.status, 201);
    const userId = ((await made.json()) as { id: number }).id;
    await beforeGuesses?.(userId);
    const home = address();
    assert.equal(await loginFrom(home, hub.url, 'mgr-b', PASSWORD), 200, 'the user signs in at their desk');

    // One stranger address: three wrong guesses lock that pair only.
    const s1 = address();
    for (let i = 0; i < 3; i++) assert.equal(await loginFrom(s1, hub.url, 'mgr-b', `wrong-${i}`), 401);
    assert.equal(await loginFrom(s1, hub.url, 'mgr-b', PASSWORD), 429, 'the pair is locked, even with the right password');
    assert.equal(await loginFrom(home, hub.url, 'mgr-b', PASSWORD), 200, 'the user is not locked out by the stranger');

    // Three more addresses, one guess each: six failures for the account in all, the back-off threshold.
    for (let i = 0; i < 3; i++) assert.equal(await loginFrom(address(), hub.url, 'mgr-b', `spread-${i}`), 401);
    // From now on a new address waits its turn: refused before its password is checked, right or wrong.
    assert.equal(await loginFrom(address(), hub.url, 'mgr-b', 'spread-x'), 429, 'a new address is slowed');
    assert.equal(await loginFrom(address(), hub.url, 'mgr-b', PASSWORD), 429, 'even with the right password');

    // Strangers keep hammering from new addresses while the user signs in from home.
    let stop = false;
    const statuses: number[] = [];
    const hammer = (async () => {
      while (!stop) statuses.push(await loginFrom(address(), hub.url, 'mgr-b', `h-${statuses.length}`));
    })();
    try {
      for (let i = 0; i < 3; i++)
        assert.equal(await loginFrom(home, hub.url, 'mgr-b', PASSWORD), 200, 'the user signs in while strangers hammer');
      while (statuses.length < 20) await new Promise((r) => setImmediate(r));
    } finally {
      stop = true;
      await hammer;
    }
    assert.deepEqual([...new Set(statuses)], [429], 'every hammering guess was refused without being tried');

    // An unknown name gets the same answers: 401 ×6 from six addresses, then 429 for a new one.
    for (let i = 0; i < 6; i++) assert.equal(await loginFrom(address(), hub.url, 'nobody-b', `n-${i}`), 401);
    assert.equal(await loginFrom(address(), hub.url, 'nobody-b', 'n-x'), 429, 'unknown names are slowed the same way');

    // Audited: the slowed attempts name the account.
    const audit = (await (await admin(`${hub.url}/api/audit?action=auth.login_backoff&limit=200`)).json()) as { actor: string }[];
    assert.ok(
      audit.some((a) => a.actor === 'mgr-b'),
      'the back-off is in the audit log',
    );
  } finally {
    await hub.close();
  }
}

test(
  'login: per user + address lockout and a per-account back-off over all addresses; the user at their own address still signs in (in process)',
  { timeout: 90_000 },
  async () => {
    await scenario({});
  },
);

test('login: the same with the counts in Redis (hub instances share them)', { timeout: 90_000 }, async () => {
  const redis = new Redis(CLUSTER_REDIS_URL);
  try {
    // User ids repeat between test databases: this run's account keys start empty and are removed after.
    const keys: string[] = [];
    try {
      await scenario({ redisUrl: CLUSTER_REDIS_URL, instanceId: `backoff-${process.pid}` }, async (id) => {
        for (const who of [String(id), 'name:nobody-b'])
          keys.push(`cg:login-account:${createHash('sha256').update(who).digest('hex').slice(0, 40)}`);
        await redis.del(...keys);
      });
    } finally {
      if (keys.length) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
});
