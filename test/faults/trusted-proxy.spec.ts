import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, test } from 'node:test';
import { authedFetch, authedJson, login, TEST_ADMIN, TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { PrivateNginx } from '../support/nginx.js';
import { testSite } from '../support/test-site.js';

/** POST /api/auth/login from a local (loopback) address, with extra headers; resolves with the status. */
function loginVia(url: string, from: string, username: string, password: string, headers: Record<string, string> = {}): Promise<number> {
  const body = JSON.stringify({ username, password });
  const u = new URL(`${url}/api/auth/login`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const USER = { username: 'lan.nguyen', password: 'a-long-enough-password-1' };

test(
  'behind the shipped nginx balancer with HUB_TRUST_PROXY: lockout, throttling and the audit log key on the client address, so a stranger neither locks out nor throttles the real user, and a forged X-Forwarded-For changes nothing',
  { timeout: 120_000 },
  async () => {
    const site = testSite('tp');
    const hub = new HubProcess({
      SQLITE_PATH: `${site.dir}/hub.db`,
      HUB_SITES_FILE: site.sitesFile,
      EMBEDDED_MQTT_PORT: '0',
      HUB_TRUST_PROXY: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...TEST_ADMIN_ENV,
    });
    cleanups.push(() => hub.stop());
    await hub.start();
    const nginx = new PrivateNginx([hub.url.replace('http://', '')]);
    cleanups.push(() => nginx.stop());
    await nginx.start();
    const admin = (await login(hub.url)).accessToken;
    const created = await authedFetch(admin)(`${hub.url}/api/users`, {
      method: 'POST',
      body: { mustChangePassword: false, ...USER, role: 'manager', siteIds: [site.siteId] },
    });
    assert.equal(created.status, 201, await created.text());

    // A stranger at 127.0.0.2 guesses the user's password through the balancer until locked…
    const stranger: number[] = [];
    for (let i = 0; i < 6; i++) stranger.push(await loginVia(nginx.url, '127.0.0.2', USER.username, `guess-${i}`));
    assert.deepEqual(stranger, [401, 401, 401, 401, 401, 429]);
    // …forging X-Forwarded-For does not get them out of it (the balancer sets the header itself)…
    assert.equal(await loginVia(nginx.url, '127.0.0.2', USER.username, USER.password, { 'x-forwarded-for': '127.0.0.3' }), 429);
    // …and the real user at 127.0.0.3 logs in.
    assert.equal(await loginVia(nginx.url, '127.0.0.3', USER.username, USER.password), 200);

    // Throttling: 25 logins with invented names from one client; the admin at another still gets in.
    const flood: number[] = [];
    for (let i = 0; i < 25; i++) flood.push(await loginVia(nginx.url, '127.0.0.4', `nobody-${i}`, 'x'));
    assert.ok(flood.includes(429), `throttled: ${flood.join(',')}`);
    assert.equal(await loginVia(nginx.url, '127.0.0.5', TEST_ADMIN.username, TEST_ADMIN.password), 200);

    // The audit log records the client's address, not the balancer's.
    const rows = await authedJson(admin)<{ items?: { detail?: { ip?: string } }[] } | { detail?: { ip?: string } }[]>(
      `${hub.url}/api/audit?action=auth.login&limit=50`,
    );
    const list = Array.isArray(rows) ? rows : (rows.items ?? []);
    const ips = new Set(list.map((r) => r.detail?.ip));
    assert.ok(ips.has('127.0.0.3') && ips.has('127.0.0.5'), `audit ips: ${[...ips].join(', ')}`);
    assert.ok(!ips.has('127.0.0.1') || list.length > 2, 'logins through the balancer are not recorded as 127.0.0.1');
  },
);

test(
  'HUB_TRUST_PROXY unset (the default): X-Forwarded-For is ignored, a client cannot dodge its lockout by sending a new one each time',
  { timeout: 60_000 },
  async () => {
    const site = testSite('tq');
    const hub = new HubProcess({
      SQLITE_PATH: `${site.dir}/hub.db`,
      HUB_SITES_FILE: site.sitesFile,
      EMBEDDED_MQTT_PORT: '0',
      LOG_LEVEL: 'warn',
      ...TEST_ADMIN_ENV,
    });
    cleanups.push(() => hub.stop());
    await hub.start();
    const got: number[] = [];
    for (let i = 0; i < 6; i++)
      got.push(await loginVia(hub.url, '127.0.0.6', TEST_ADMIN.username, 'wrong', { 'x-forwarded-for': `10.0.0.${i + 1}` }));
    assert.deepEqual(got, [401, 401, 401, 401, 401, 429]);
    assert.equal(await loginVia(hub.url, '127.0.0.7', TEST_ADMIN.username, TEST_ADMIN.password), 200);
  },
);

test('an unknown username is locked like a real one (no enumeration by 429)', { timeout: 60_000 }, async () => {
  const site = testSite('te');
  const hub = new HubProcess({
    SQLITE_PATH: `${site.dir}/hub.db`,
    HUB_SITES_FILE: site.sitesFile,
    EMBEDDED_MQTT_PORT: '0',
    LOG_LEVEL: 'warn',
    ...TEST_ADMIN_ENV,
  });
  cleanups.push(() => hub.stop());
  await hub.start();
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 6; i++) known.push(await loginVia(hub.url, '127.0.0.8', TEST_ADMIN.username, 'wrong'));
  for (let i = 0; i < 6; i++) unknown.push(await loginVia(hub.url, '127.0.0.8', 'no-such-user', 'wrong'));
  assert.deepEqual(unknown, known);
  assert.deepEqual(known, [401, 401, 401, 401, 401, 429]);
});
