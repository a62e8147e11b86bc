import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TEST_ADMIN, authedFetch, login } from '../../../../test/support/hub-auth.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';

const post = (url: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(url, { method: 'POST', headers, body });
const status = async (r: Promise<Response>) => {
  const res = await r;
  await res.arrayBuffer();
  return res.status;
};

test(
  'request bodies: small limit by default, read only after authentication, photos only on photo routes, JSON only, logout throttled',
  { timeout: 60_000 },
  async () => {
    const { hub, siteA } = await startTwoSiteHub({ loginRateLimit: 5 });
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const admin = authedFetch(adminToken);
      assert.equal(
        (
          await admin(`${hub.url}/api/users`, {
            method: 'POST',
            body: { mustChangePassword: false, username: 'mgr', password: 'manager-password-1', role: 'manager', siteIds: [siteA] },
          })
        ).status,
        201,
      );
      const manager = (await login(hub.url, 'mgr', 'manager-password-1')).accessToken;
      const watchlist = `${hub.url}/api/sites/${siteA}/watchlist`;
      // 3 MB that is not JSON: had the hub parsed it, it would answer 400.
      const junk = Buffer.alloc(3_000_000, '{');

      assert.equal(await status(post(watchlist, junk)), 401, 'an anonymous body is not parsed: 401, not a parse error');
      assert.equal(
        await status(post(watchlist, junk, { 'content-type': 'application/json', authorization: `Bearer ${manager}` })),
        403,
        'a role that may not post photos: 403 before parsing',
      );
      assert.equal(
        await status(post(`${watchlist}/search`, junk, { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` })),
        400,
        'an allowed caller: parsed, and malformed JSON is a 400',
      );

      // Public routes take small bodies only.
      const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(1_000_000) });
      assert.equal(await status(post(`${hub.url}/api/auth/login`, big)), 413);
      // Authenticated JSON routes other than the photo routes too.
      assert.equal(
        await status(
          post(`${hub.url}/api/gate-control/open`, JSON.stringify({ siteId: siteA, gateId: 'g1', reason: 'x'.repeat(400_000) }), {
            'content-type': 'application/json',
            authorization: `Bearer ${adminToken}`,
          }),
        ),
        413,
      );
      // The photo routes take megabytes from those allowed: a 3 MB unreadable photo gets the enrolment's 422 with its reason.
      const photo = randomBytes(2_200_000).toString('base64');
      const enrol = await post(watchlist, JSON.stringify({ fullName: 'Trần Thị B', photos: [photo] }), {
        'content-type': 'application/json',
        authorization: `Bearer ${adminToken}`,
      });
      assert.equal(enrol.status, 422, await enrol.clone().text());
      assert.match(await enrol.text(), /unreadable|image|photo/i);

      // JSON routes refuse other encodings, even with good credentials inside.
      const form = new URLSearchParams({ username: TEST_ADMIN.username, password: TEST_ADMIN.password }).toString();
      const formLogin = await post(`${hub.url}/api/auth/login`, form, { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(formLogin.status, 415, await formLogin.text());
      assert.equal(
        await status(
          post(`${hub.url}/api/auth/login`, JSON.stringify({ username: TEST_ADMIN.username, password: TEST_ADMIN.password }), {
            'content-type': 'text/plain',
          }),
        ),
        415,
      );
      // A small JSON body on an ordinary route goes through to the route.
      assert.equal(
        await status(
          post(`${hub.url}/api/sites/${siteA}/alerts/999/acknowledge`, '{}', {
            'content-type': 'application/json; charset=utf-8',
            authorization: `Bearer ${adminToken}`,
          }),
        ),
        404,
      );

      // Logout is throttled per IP like login and refresh (5 a minute here).
      const logouts: number[] = [];
      for (let i = 0; i < 6; i++)
        logouts.push(
          await status(post(`${hub.url}/api/auth/logout`, JSON.stringify({ refreshToken: `00000000-0000-0000-0000-000000000000.${i}` }))),
        );
      assert.deepEqual(logouts, [204, 204, 204, 204, 204, 429]);
    } finally {
      await hub.close();
    }
  },
);
