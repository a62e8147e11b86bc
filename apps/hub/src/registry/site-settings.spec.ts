import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { stringify } from 'yaml';
import { SocketEvents, type SiteInfo, type SiteSettingsList } from '../../../../libs/contracts/src/index.js';
import { hubConfigFromEnv } from '../config/hub-config.js';
import { startHub } from '../hub-app.js';
import { authedFetch, login, TEST_ADMIN_CONFIG } from '../../../../test/support/hub-auth.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';

// Issue 22: sites, zones, gates, capacity and the live-camera and retention rules are edited by an
// admin over HTTP and stored in the database; the hub uses the new values at once (sites list, camera
// rule, sockets told) and keeps them over a restart whatever the sites file says. On SQLite and PostgreSQL.

async function scenario(databaseUrl?: string): Promise<void> {
  const started = await startTwoSiteHub({ databaseUrl, loginRateLimit: 100 });
  const { siteA, dir } = started;
  let hub = started.hub;
  try {
    const admin = authedFetch((await login(hub.url)).accessToken);
    assert.equal(
      (
        await admin(`${hub.url}/api/users`, {
          method: 'POST',
          body: { mustChangePassword: false, username: 'mgr', password: 'manager-password-1', role: 'manager', siteIds: [siteA] },
        })
      ).status,
      201,
    );
    const mgr = authedFetch((await login(hub.url, 'mgr', 'manager-password-1')).accessToken);
    assert.equal((await mgr(`${hub.url}/api/admin/sites`)).status, 403, 'admins only');

    const list = (await (await admin(`${hub.url}/api/admin/sites`)).json()) as SiteSettingsList;
    const a = list.sites.find((s) => s.id === siteA)!;
    assert.equal(a.name, 'Ga A', 'seeded from the sites file');
    assert.equal(list.defaults.retention.eventsDays, 365);

    const socket = io(hub.url, {
      transports: ['websocket'],
      auth: { token: (await login(hub.url, 'mgr', 'manager-password-1')).accessToken },
      reconnection: false,
    });
    const told = new Promise<{ siteIds: string[] }>((resolve) => socket.once(SocketEvents.sitesChanged, resolve));
    await new Promise<void>((r) => socket.once('connect', () => r()));

    const edited = {
      ...a,
      name: 'Ga A (mới)',
      capacity: 4200,
      zones: [...a.zones.map((z) => ({ ...z, capacity: 800 })), { id: 'san-ga', name: 'Sân ga', capacity: 1500 }],
      gates: [...a.gates, { id: 'g9', zone: 'san-ga', name: 'Cổng sân ga' }],
      liveCameras: { roles: ['admin', 'security', 'operator', 'manager'] as const, wallKeys: false },
      retention: { eventsDays: 90, cropsDays: 3 },
    };
    const put = await admin(`${hub.url}/api/admin/sites/${siteA}`, { method: 'PUT', body: edited });
    assert.equal(put.status, 200, await put.clone().text());
    assert.deepEqual(await told, { siteIds: [siteA] }, 'every socket is told to load the sites again');
    socket.close();

    // The manager's own view changes at once: capacity, the new zone and gate, and the camera rule.
    const seen = ((await (await mgr(`${hub.url}/api/sites`)).json()) as SiteInfo[])[0]!;
    assert.equal(seen.name, 'Ga A (mới)');
    assert.equal(seen.capacity, 4200);
    assert.deepEqual(
      seen.zones.map((z) => [z.zoneId, z.capacity]),
      [
        ['sanh', 800],
        ['san-ga', 1500],
      ],
    );
    assert.ok(seen.gates.some((g) => g.gateId === 'g9' && g.zoneId === 'san-ga'));
    assert.equal(seen.liveCameras, true, 'managers may now watch this site’s cameras');
    assert.equal((await mgr(`${hub.url}/api/counts/today?siteId=${siteA}`)).status, 200);

    // Audited with what changed, in before → after form.
    const audit = (await (await admin(`${hub.url}/api/audit?action=site.update`)).json()) as {
      subjectId: string;
      detail: Record<string, { from: unknown; to: unknown }>;
    }[];
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.subjectId, siteA);
    assert.deepEqual(audit[0]!.detail.capacity, { from: null, to: 4200 });
    assert.deepEqual(audit[0]!.detail.name, { from: 'Ga A', to: 'Ga A (mới)' });
    assert.deepEqual(audit[0]!.detail.retention, { from: null, to: { eventsDays: 90, cropsDays: 3 } });
    assert.ok(audit[0]!.detail.gates && audit[0]!.detail.liveCameras && !audit[0]!.detail.kind, 'only what changed');

    // Refusals, each with its code: a gate in a zone the site lacks, a removed gate, an unknown site, a taken id.
    const bad = await admin(`${hub.url}/api/admin/sites/${siteA}`, {
      method: 'PUT',
      body: { ...edited, gates: [...edited.gates, { id: 'g10', zone: 'nowhere', name: 'X' }] },
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'invalid_input');
    const removed = await admin(`${hub.url}/api/admin/sites/${siteA}`, {
      method: 'PUT',
      body: { ...edited, gates: edited.gates.filter((g) => g.id !== 'g9') },
    });
    assert.equal(removed.status, 409);
    assert.equal(((await removed.json()) as { code: string }).code, 'site_part_in_use');
    assert.equal(
      (
        (await (await admin(`${hub.url}/api/admin/sites/nope`, { method: 'PUT', body: { ...edited, id: 'nope' } })).json()) as {
          code: string;
        }
      ).code,
      'site_not_found',
    );
    assert.equal(
      ((await (await admin(`${hub.url}/api/admin/sites`, { method: 'POST', body: edited })).json()) as { code: string }).code,
      'site_exists',
    );
    const created = await admin(`${hub.url}/api/admin/sites`, {
      method: 'POST',
      body: {
        id: 'ben-xe',
        name: 'Bến xe Ninh Bình',
        kind: 'station',
        capacity: 900,
        zones: [{ id: 'sanh', name: 'Sảnh' }],
        gates: [{ id: 'g1', zone: 'sanh', name: 'Cổng 1' }],
      },
    });
    assert.equal(created.status, 201);

    // A restart with the sites file saying otherwise: the database decides.
    await hub.close();
    writeFileSync(
      join(dir, 'sites.yaml'),
      stringify({
        sites: [
          {
            id: siteA,
            name: 'Tên trong tệp',
            kind: 'station',
            zones: [{ id: 'sanh', name: 'Sảnh' }],
            gates: [{ id: 'g1', zone: 'sanh', name: 'Cổng 1' }],
          },
        ],
      }),
    );
    hub = await startHub(
      hubConfigFromEnv(
        {},
        {
          port: 0,
          embeddedMqttPort: 0,
          embeddedMqttHost: '127.0.0.1',
          sitesFile: join(dir, 'sites.yaml'),
          sqlitePath: join(dir, 'hub.db'),
          jwtSecretFile: join(dir, 'jwt.key'),
          databaseUrl,
          ...TEST_ADMIN_CONFIG,
        },
      ),
      false,
    );
    const again = (await (await authedFetch((await login(hub.url)).accessToken)(`${hub.url}/api/admin/sites`)).json()) as SiteSettingsList;
    const a2 = again.sites.find((s) => s.id === siteA)!;
    assert.equal(a2.name, 'Ga A (mới)');
    assert.equal(a2.capacity, 4200);
    assert.deepEqual(a2.retention, { eventsDays: 90, cropsDays: 3 });
    assert.ok(again.sites.some((s) => s.id === 'ben-xe'));
  } finally {
    await hub.close();
  }
}

test('sites edited over HTTP, stored in the database, used at once (SQLite)', { timeout: 60_000 }, () => scenario());
test('sites edited over HTTP, stored in the database, used at once (PostgreSQL)', { timeout: 60_000 }, async () => {
  const pg = await createTestDatabase();
  try {
    await scenario(pg.url);
  } finally {
    await pg.drop();
  }
});
