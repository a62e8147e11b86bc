import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JwtService } from '@nestjs/jwt';
import { io, type Socket } from 'socket.io-client';
import { alertRoom, SocketEvents } from '../../../../libs/contracts/src/index.js';
import { authedFetch, login, loginFrom } from '../../../../test/support/hub-auth.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { LiveGateway } from '../realtime/live.gateway.js';

const SECRET = 'a-test-signing-key-of-more-than-32-characters';

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function connect(url: string, auth: Record<string, string>): Promise<{ socket: Socket; error?: string }> {
  const socket = io(url, { transports: ['websocket'], auth, reconnection: false });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (e) => resolve({ socket, error: e.message }));
  });
}

async function runSessions(databaseUrl?: string): Promise<void> {
  const { hub, siteA, siteB } = await startTwoSiteHub({ databaseUrl, jwtSecret: SECRET, loginRateLimit: 30, loginLockoutThreshold: 3 });
  const sockets: Socket[] = [];
  try {
    const admin = authedFetch((await login(hub.url)).accessToken);
    const mk = async (username: string, role: string, siteIds: string[]) =>
      assert.equal(
        (
          await admin(`${hub.url}/api/users`, {
            method: 'POST',
            body: { mustChangePassword: false, username, password: 'a-long-password-1', role, siteIds },
          })
        ).status,
        201,
      );
    await mk('sec-a', 'security', [siteA]);
    await mk('sec-b', 'security', [siteB]);
    await mk('mgr-a', 'manager', [siteA]);
    await mk('victim', 'operator', [siteA]);
    const me = (token: string) => authedFetch(token)(`${hub.url}/api/auth/me`);

    // Expired, foreign-key and unsigned tokens are refused.
    const claims = { name: 'sec-a', role: 'security', sites: [siteA], sid: 'x', sub: '2' };
    assert.equal(
      (await me(new JwtService({ secret: SECRET }).sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }))).status,
      401,
      'expired',
    );
    assert.equal((await me(new JwtService({ secret: 'another-key-of-more-than-32-characters!!' }).sign(claims))).status, 401, 'wrong key');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, exp: 9e9 })).toString('base64url')}.`;
    assert.equal((await me(unsigned)).status, 401, 'alg none');

    // Refresh rotates: the new pair works, the used refresh token is spent, and replaying it revokes the session.
    const first = await login(hub.url, 'sec-a', 'a-long-password-1');
    assert.equal((await me(first.accessToken)).status, 200);
    const r1 = await post(`${hub.url}/api/auth/refresh`, { refreshToken: first.refreshToken });
    assert.equal(r1.status, 200);
    const second = (await r1.json()) as typeof first;
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await me(second.accessToken)).status, 200);
    assert.equal(
      (await post(`${hub.url}/api/auth/refresh`, { refreshToken: first.refreshToken })).status,
      401,
      'a used refresh token is refused',
    );
    assert.equal(
      (await post(`${hub.url}/api/auth/refresh`, { refreshToken: second.refreshToken })).status,
      401,
      'replay revoked the whole session',
    );
    assert.equal((await me(second.accessToken)).status, 401, "the revoked session's access token too");

    // Logout revokes the refresh token and the session's access token.
    const s = await login(hub.url, 'sec-a', 'a-long-password-1');
    const loggedOut = await connect(hub.url, { token: s.accessToken });
    sockets.push(loggedOut.socket);
    const loggedOutGone = new Promise((r) => loggedOut.socket.once('disconnect', r));
    assert.equal((await post(`${hub.url}/api/auth/logout`, { refreshToken: s.refreshToken })).status, 204);
    await loggedOutGone;
    assert.equal((await post(`${hub.url}/api/auth/refresh`, { refreshToken: s.refreshToken })).status, 401);
    assert.equal((await me(s.accessToken)).status, 401);

    // Disabling a user ends their sessions, their logins and their open sockets at once.
    const v = await login(hub.url, 'victim', 'a-long-password-1');
    const victimSocket = await connect(hub.url, { token: v.accessToken });
    sockets.push(victimSocket.socket);
    assert.equal(victimSocket.error, undefined);
    const victimGone = new Promise((r) => victimSocket.socket.once('disconnect', r));
    const users = (await (await admin(`${hub.url}/api/users`)).json()) as { id: number; username: string }[];
    const victimId = users.find((u) => u.username === 'victim')!.id;
    assert.equal((await admin(`${hub.url}/api/users/${victimId}`, { method: 'PATCH', body: { disabled: true } })).status, 200);
    await victimGone;
    assert.equal((await me(v.accessToken)).status, 401);
    assert.equal((await post(`${hub.url}/api/auth/refresh`, { refreshToken: v.refreshToken })).status, 401);
    assert.equal((await post(`${hub.url}/api/auth/login`, { username: 'victim', password: 'a-long-password-1' })).status, 401);

    // Per-username lockout: after 3 wrong passwords even the right one is refused (429), other users are not.
    for (let i = 0; i < 3; i++)
      assert.equal((await post(`${hub.url}/api/auth/login`, { username: 'mgr-a', password: 'wrong' })).status, 401);
    const locked = await post(`${hub.url}/api/auth/login`, { username: 'mgr-a', password: 'a-long-password-1' });
    assert.equal(locked.status, 429);
    assert.match(((await locked.json()) as { message: string }).message, /try again in \d+ s/);
    assert.equal((await post(`${hub.url}/api/auth/login`, { username: 'sec-b', password: 'a-long-password-1' })).status, 200);
    // …and the lockout holds for that username from that address only: from another address the real
    // user still signs in (a stranger cannot lock the admin out).
    assert.equal(await loginFrom('127.0.0.2', hub.url, 'mgr-a', 'a-long-password-1'), 200);
    assert.equal(
      (await post(`${hub.url}/api/auth/login`, { username: 'mgr-a', password: 'a-long-password-1' })).status,
      429,
      'still locked from the first address',
    );

    // Sockets: no credential → refused at the handshake; grants limit subscriptions; alerts reach only the site's security users.
    // Another site's page may not open a socket with a stolen-by-CSRF credential; the hub's own page may.
    const foreign = io(hub.url, {
      transports: ['websocket'],
      auth: { token: (await login(hub.url)).accessToken },
      reconnection: false,
      extraHeaders: { origin: 'https://evil.example' },
    });
    sockets.push(foreign);
    assert.ok(
      await new Promise((r) => {
        foreign.once('connect', () => r(false));
        foreign.once('connect_error', () => r(true));
      }),
      'a foreign origin is refused',
    );
    const own = io(hub.url, {
      transports: ['websocket'],
      auth: { token: (await login(hub.url)).accessToken },
      reconnection: false,
      extraHeaders: { origin: hub.url },
    });
    sockets.push(own);
    assert.ok(
      await new Promise((r) => {
        own.once('connect', () => r(true));
        own.once('connect_error', () => r(false));
      }),
      "the hub's own origin is accepted",
    );
    const anon = await connect(hub.url, {});
    sockets.push(anon.socket);
    assert.equal(anon.error, 'unauthorized');
    const bad = await connect(hub.url, { token: 'garbage' });
    sockets.push(bad.socket);
    assert.equal(bad.error, 'unauthorized');
    const secA = await connect(hub.url, { token: (await login(hub.url, 'sec-a', 'a-long-password-1')).accessToken });
    const secB = await connect(hub.url, { token: (await login(hub.url, 'sec-b', 'a-long-password-1')).accessToken });
    const adminSock = await connect(hub.url, { token: (await login(hub.url)).accessToken });
    sockets.push(secA.socket, secB.socket, adminSock.socket);
    assert.equal(secA.error, undefined);
    const sub = (so: Socket, siteIds: string[]) =>
      so.timeout(5000).emitWithAck(SocketEvents.subscribe, { siteIds }) as Promise<{ ok: boolean; error?: string }>;
    assert.deepEqual(await sub(secA.socket, [siteA]), { ok: true });
    const refused = await sub(secA.socket, [siteB]);
    assert.equal(refused.ok, false);
    assert.match(refused.error!, /no access to site/);
    const got: Record<string, unknown[]> = { secA: [], secB: [], admin: [] };
    secA.socket.on(SocketEvents.alertNew, (a) => got.secA!.push(a));
    secB.socket.on(SocketEvents.alertNew, (a) => got.secB!.push(a));
    adminSock.socket.on(SocketEvents.alertNew, (a) => got.admin!.push(a));
    const server = hub.app.get(LiveGateway).server;
    server.to(alertRoom(siteA)).emit(SocketEvents.alertNew, { siteId: siteA, n: 1 });
    server.to(alertRoom(siteB)).emit(SocketEvents.alertNew, { siteId: siteB, n: 2 });
    await waitFor(
      () => got.admin!.length,
      (n) => n === 2,
      5000,
      'admin gets both sites',
    );
    await waitFor(
      () => got.secA!.length + got.secB!.length,
      (n) => n === 2,
      5000,
      'each security user gets one',
    );
    assert.deepEqual(got.secA, [{ siteId: siteA, n: 1 }]);
    assert.deepEqual(got.secB, [{ siteId: siteB, n: 2 }]);

    // A revoked API key's socket is closed at once.
    const created = (await (
      await admin(`${hub.url}/api/api-keys`, { method: 'POST', body: { name: 'wall', siteIds: [siteA] } })
    ).json()) as { id: number; key: string };
    const wall = await connect(hub.url, { apiKey: created.key });
    sockets.push(wall.socket);
    assert.equal(wall.error, undefined);
    assert.deepEqual(await sub(wall.socket, [siteA]), { ok: true });
    const closed = new Promise((r) => wall.socket.once('disconnect', r));
    assert.equal((await admin(`${hub.url}/api/api-keys/${created.id}`, { method: 'DELETE' })).status, 200);
    await closed;
    assert.equal((await authedFetch(created.key)(`${hub.url}/api/sites`)).status, 401);

    // The audit log saw the logins, failures and admin changes.
    const audit = (await (await admin(`${hub.url}/api/audit?limit=500`)).json()) as { action: string; actor: string }[];
    const actions = new Set(audit.map((a) => a.action));
    for (const a of [
      'auth.login',
      'auth.login_failed',
      'auth.login_locked',
      'auth.logout',
      'auth.refresh_reuse',
      'user.create',
      'user.update',
      'apikey.create',
      'apikey.revoke',
    ])
      assert.ok(actions.has(a), `audit has ${a}`);

    // Per-IP throttling of each token endpoint: past 30 calls a minute (5 refreshes were made above) the hub answers 429.
    const statuses: number[] = [];
    for (let i = 0; i < 26; i++)
      statuses.push((await post(`${hub.url}/api/auth/refresh`, { refreshToken: `00000000-0000-0000-0000-000000000000.${i}` })).status);
    assert.deepEqual(statuses, [...Array(25).fill(401), 429]);
    assert.equal(
      (await post(`${hub.url}/api/auth/login`, { username: 'sec-b', password: 'a-long-password-1' })).status,
      200,
      'login has its own budget',
    );
  } finally {
    for (const so of sockets) so.disconnect();
    await hub.close();
  }
}

test(
  'sessions on SQLite: expiry, refresh rotation and replay, logout and disable revoke, lockout, socket auth and alert rooms, throttling',
  { timeout: 90_000 },
  async () => {
    await runSessions();
  },
);

test('sessions on PostgreSQL: the same', { timeout: 90_000 }, async () => {
  const pg = await createTestDatabase();
  try {
    await runSessions(pg.url);
  } finally {
    await pg.drop();
  }
});
