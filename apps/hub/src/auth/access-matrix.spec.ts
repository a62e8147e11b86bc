import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Role, SiteInfo } from '../../../../libs/contracts/src/index.js';
import { authedFetch, login } from '../../../../test/support/hub-auth.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { ROUTE_ACCESS } from './route-access.table.js';

type Who = Role | 'anonymous';
const WHO: Who[] = ['anonymous', 'admin', 'security', 'operator', 'manager', 'ioc'];

/** Every route express has, as `METHOD /path` (Nest controllers and the Swagger routes alike). */
function registeredRoutes(expressApp: unknown): string[] {
  const stack = (expressApp as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack;
  const out = new Set<string>();
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.add(`${m.toUpperCase()} ${layer.route.path}`);
  }
  return [...out].sort();
}

function expected(access: (typeof ROUTE_ACCESS)[string], who: Who, bound: boolean, own: boolean): 'allowed' | 401 | 403 {
  if (access.access === 'public' || access.access === 'loopback') return 'allowed';
  if (who === 'anonymous') return 401;
  if (!access.access.includes(who)) return 403;
  if (bound && !own && who !== 'admin') return 403;
  return 'allowed';
}

async function runMatrix(databaseUrl?: string): Promise<void> {
  const { hub, siteA, siteB } = await startTwoSiteHub({ databaseUrl, loginRateLimit: 100 });
  try {
    const adminToken = (await login(hub.url)).accessToken;
    const admin = authedFetch(adminToken);
    const credentials: Record<Who, string | null> = {
      anonymous: null,
      admin: adminToken,
      security: null,
      operator: null,
      manager: null,
      ioc: null,
    };
    for (const role of ['security', 'operator', 'manager'] as const) {
      const username = `${role}-a`;
      const r = await admin(`${hub.url}/api/users`, {
        method: 'POST',
        body: { mustChangePassword: false, username, password: `${role}-password-123`, role, siteIds: [siteA] },
      });
      assert.equal(r.status, 201, await r.text());
      credentials[role] = (await login(hub.url, username, `${role}-password-123`)).accessToken;
    }
    const key = await admin(`${hub.url}/api/api-keys`, { method: 'POST', body: { name: 'wall A', siteIds: [siteA] } });
    credentials.ioc = ((await key.json()) as { key: string }).key;

    // The table covers exactly the routes the app has: a new route without an entry fails here.
    const routes = registeredRoutes(hub.app.getHttpAdapter().getInstance());
    const listed = Object.keys(ROUTE_ACCESS).sort();
    assert.deepEqual(
      { unlisted: routes.filter((r) => !listed.includes(r)), gone: listed.filter((r) => !routes.includes(r)) },
      { unlisted: [], gone: [] },
      'route-access.table.ts lists every route of the hub, and only those',
    );

    const failures: string[] = [];
    for (const route of routes) {
      const access = ROUTE_ACCESS[route]!;
      const method = route.split(' ')[0]!;
      for (const who of WHO) {
        for (const own of access.site ? [true, false] : [true]) {
          const siteId = own ? siteA : siteB;
          const req = access.request(siteId);
          const cred = credentials[who];
          const res = await fetch(`${hub.url}${req.path}`, {
            method,
            headers: {
              ...(cred ? { authorization: `Bearer ${cred}` } : {}),
              ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
          });
          await res.arrayBuffer();
          const want = expected(access, who, Boolean(access.site), own);
          const ok = want === 'allowed' ? res.status !== 401 && res.status !== 403 && res.status < 500 : res.status === want;
          if (!ok) failures.push(`${route} as ${who} on ${own ? 'own' : 'other'} site: got ${res.status}, want ${want}`);
        }
      }
    }
    assert.deepEqual(failures, []);

    // Listings without a site in the request are scoped to the caller's grants.
    const sitesOf = async (cred: string) =>
      ((await (await authedFetch(cred)(`${hub.url}/api/sites`)).json()) as SiteInfo[]).map((s) => s.siteId).sort();
    assert.deepEqual(await sitesOf(credentials.manager!), [siteA]);
    assert.deepEqual(await sitesOf(credentials.ioc!), [siteA]);
    assert.deepEqual(await sitesOf(adminToken), [siteA, siteB].sort());

    // A route whose rule is missing would be refused even to an admin (default deny): the guard is global.
    const bogus = await fetch(`${hub.url}/api/no-such-route`, { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(bogus.status, 404);
  } finally {
    await hub.close();
  }
}

test(
  'role × route × site matrix on SQLite: every route listed, 401 without credentials, 403 for wrong role or other site',
  { timeout: 90_000 },
  async () => {
    await runMatrix();
  },
);

test('role × route × site matrix on PostgreSQL', { timeout: 90_000 }, async () => {
  const pg = await createTestDatabase();
  try {
    await runMatrix(pg.url);
  } finally {
    await pg.drop();
  }
});
