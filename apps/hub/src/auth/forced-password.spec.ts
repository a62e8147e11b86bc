import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { authedFetch, login } from '../../../../test/support/hub-auth.js';
import { CLUSTER_REDIS_URL } from '../../../../test/support/hub-cluster.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { LoginFailures } from '../cluster/login-failures.js';
import { ROUTE_ACCESS } from './route-access.table.js';

// Issue 22: the forced change of a one-time password is the hub's rule, not only the web's. A user whose
// password an admin set (new user, reset) gets a token that reaches only "me" and "change password";
// every other route answers 403 `password_change_required` (the web translates it) and sockets are
// refused. An admin's reset also lifts the user's sign-in lockout, on one box and through Redis.

const BEFORE_CHANGE = new Set(['GET /api/auth/me', 'POST /api/auth/password']);
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function socketError(url: string, token: string): Promise<string> {
  const s = io(url, { transports: ['websocket'], auth: { token }, reconnection: false });
  return new Promise((resolve) => {
    s.once('connect', () => (s.close(), resolve('connected')));
    s.once('connect_error', (e) => (s.close(), resolve(e.message)));
  });
}

async function run(redisUrl?: string): Promise<void> {
  const { hub, siteA } = await startTwoSiteHub({ redisUrl, loginRateLimit: 200, loginLockoutThreshold: 3, loginLockoutBaseS: 600 });
  try {
    const admin = authedFetch((await login(hub.url)).accessToken);
    const tag = Math.random().toString(36).slice(2, 8);
    const username = `sec-${tag}`;
    const created = await admin(`${hub.url}/api/users`, {
      method: 'POST',
      body: { username, password: 'one-time-pass-1', role: 'security', siteIds: [siteA] },
    });
    assert.equal(created.status, 201);
    const id = ((await created.json()) as { id: number }).id;
    // The test Redis is shared by every spec's hub, whose databases all number users from 1: clear what
    // another run left for a user of this id from this address (and again at the end, below).
    const failures = hub.app.get(LoginFailures);
    await failures.clearUser(id);
    const first = await login(hub.url, username, 'one-time-pass-1');
    assert.equal(first.user.mustChangePassword, true, 'the login answer says the password must change');
    const user = authedFetch(first.accessToken);

    // Every route a security user may call, but "me" and "change password": 403 with the stable code.
    const refused: string[] = [];
    for (const [route, access] of Object.entries(ROUTE_ACCESS)) {
      if (!Array.isArray(access.access) || !access.access.includes('security') || BEFORE_CHANGE.has(route)) continue;
      const [method, path] = [route.split(' ')[0]!, access.request(siteA)];
      const res = await user(`${hub.url}${path.path}`, { method, body: path.body });
      const body = (await res.json().catch(() => null)) as { code?: string } | null;
      if (res.status !== 403 || body?.code !== 'password_change_required') refused.push(`${route}: ${res.status} ${body?.code}`);
    }
    assert.deepEqual(refused, [], 'every other route refuses a one-time password');
    const me = (await (await user(`${hub.url}/api/auth/me`)).json()) as { mustChangePassword: boolean };
    assert.equal(me.mustChangePassword, true);
    assert.equal(await socketError(hub.url, first.accessToken), 'password_change_required', 'no live socket either');
    // A refreshed token is still a one-time password's token.
    const refreshed = (await (await post(`${hub.url}/api/auth/refresh`, { refreshToken: first.refreshToken })).json()) as {
      accessToken: string;
    };
    assert.equal((await authedFetch(refreshed.accessToken)(`${hub.url}/api/sites`)).status, 403);

    // Changing it: the old sessions end, the new password's token reaches everything the role may.
    assert.equal(
      (
        await authedFetch(refreshed.accessToken)(`${hub.url}/api/auth/password`, {
          method: 'POST',
          body: { currentPassword: 'one-time-pass-1', newPassword: 'my-own-password-1' },
        })
      ).status,
      204,
    );
    assert.equal((await authedFetch(refreshed.accessToken)(`${hub.url}/api/auth/me`)).status, 401, 'the change ended the session');
    const own = await login(hub.url, username, 'my-own-password-1');
    assert.equal(own.user.mustChangePassword, false);
    assert.equal((await authedFetch(own.accessToken)(`${hub.url}/api/sites`)).status, 200);
    assert.equal((await authedFetch(own.accessToken)(`${hub.url}/api/events?siteId=${siteA}`)).status, 200);
    assert.equal(await socketError(hub.url, own.accessToken), 'connected');

    // Locked out after three wrong passwords (even the right one gets 429) …
    for (let i = 0; i < 3; i++)
      assert.equal((await post(`${hub.url}/api/auth/login`, { username, password: 'wrong-password-xx' })).status, 401);
    const locked = await post(`${hub.url}/api/auth/login`, { username, password: 'my-own-password-1' });
    assert.equal(locked.status, 429);
    assert.equal(((await locked.json()) as { code: string }).code, 'login_locked');
    // … an admin's reset lifts the lock at once: the new one-time password signs in (and must change).
    assert.equal((await admin(`${hub.url}/api/users/${id}`, { method: 'PATCH', body: { password: 'reset-by-admin-1' } })).status, 200);
    const afterReset = await login(hub.url, username, 'reset-by-admin-1');
    assert.equal(afterReset.user.mustChangePassword, true);
    assert.equal((await authedFetch(afterReset.accessToken)(`${hub.url}/api/sites/${siteA}/alerts`)).status, 403);
    // A disable/enable is no reset: it leaves a lock where it is.
    for (let i = 0; i < 3; i++) await post(`${hub.url}/api/auth/login`, { username, password: 'wrong-password-xx' });
    assert.equal((await admin(`${hub.url}/api/users/${id}`, { method: 'PATCH', body: { disabled: false } })).status, 200);
    assert.equal((await post(`${hub.url}/api/auth/login`, { username, password: 'reset-by-admin-1' })).status, 429);
    await failures.clearUser(id);
  } finally {
    await hub.close();
  }
}

test('one-time password enforced by the hub and reset lifts the lockout (single box)', { timeout: 90_000 }, () => run());
test('one-time password enforced by the hub and reset lifts the lockout (lockout in Redis)', { timeout: 90_000 }, () =>
  run(CLUSTER_REDIS_URL),
);
