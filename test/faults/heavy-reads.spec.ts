import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { v7 } from 'uuid';
import { authedFetch, login, TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';

const DAY = 86_400_000;
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** Starts a GET and resolves with the response head; the body is left unread (the export stays running). */
function open(url: string, token: string): Promise<{ res: IncomingMessage; req: ClientRequest }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, agent: false, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.pause();
        resolve({ res, req });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
const bodyOf = (res: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (s += d));
    res.on('end', () => resolve(s));
    res.resume();
  });

test(
  'exports run at most 2 per user and 4 per hub at once: the rest get 429 heavy_read_busy with Retry-After and a bilingual message at once; a slot is free again when an export ends',
  { timeout: 120_000 },
  async () => {
    const site = testSite('hr');
    const env = {
      HUB_SITES_FILE: site.sitesFile,
      SQLITE_PATH: join(site.dir, 'hub.db'),
      EMBEDDED_MQTT_PORT: '0',
      LOG_LEVEL: 'warn',
      ...TEST_ADMIN_ENV,
    };
    const first = new HubProcess(env);
    await first.start();
    await first.stop();
    // A year of events straight into the database: enough CSV (~30 MB, more than the kernel buffers of a loopback connection hold) that an unread export cannot finish.
    const EVENTS = 300_000;
    const to = Math.floor(Date.now() / DAY) * DAY;
    const from = to - 365 * DAY;
    const db = new Database(env.SQLITE_PATH);
    const insert = db.prepare(
      'INSERT INTO gate_events (event_id, site_id, zone_id, gate_id, lane_id, direction, source, occurred_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let i = 0; i < EVENTS; i++) {
        const at = from + Math.floor((i / EVENTS) * 365 * DAY);
        insert.run(v7(), site.siteId, 'sanh-a', 'g1', null, i % 2 ? 'exit' : 'entry', 'camera', at, at + 50);
      }
    })();
    db.close();
    const hub = new HubProcess(env);
    cleanups.push(() => hub.stop());
    await hub.start();
    const admin = (await login(hub.url)).accessToken;
    const tokens: string[] = [];
    for (const name of ['quan.ly.a', 'quan.ly.b', 'quan.ly.c']) {
      const r = await authedFetch(admin)(`${hub.url}/api/users`, {
        method: 'POST',
        body: { mustChangePassword: false, username: name, password: 'a-long-enough-password-1', role: 'manager', siteIds: [site.siteId] },
      });
      assert.equal(r.status, 201);
      tokens.push((await login(hub.url, name, 'a-long-enough-password-1')).accessToken);
    }
    const url = `${hub.url}/api/reports/export?siteId=${site.siteId}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&format=csv`;

    // One manager, 10 exports at once: 2 run, 8 refused at once.
    const ten = await Promise.all(Array.from({ length: 10 }, () => open(url, tokens[0]!)));
    const statuses = ten.map((x) => x.res.statusCode).sort();
    assert.deepEqual(statuses, [200, 200, 429, 429, 429, 429, 429, 429, 429, 429]);
    const refused = ten.find((x) => x.res.statusCode === 429)!;
    assert.equal(refused.res.headers['retry-after'], '10');
    const body = JSON.parse(await bodyOf(refused.res)) as { code: string; message: string };
    assert.equal(body.code, 'heavy_read_busy');
    assert.match(body.message, /Đang chạy quá nhiều bản xuất.*\/ Too many exports or reports running/);
    // A second manager takes the other two slots of the hub; a third is refused by the hub-wide limit.
    const b = await Promise.all([open(url, tokens[1]!), open(url, tokens[1]!)]);
    assert.deepEqual(
      b.map((x) => x.res.statusCode),
      [200, 200],
    );
    const c = await open(url, tokens[2]!);
    assert.equal(c.res.statusCode, 429);
    c.req.destroy();
    // The report summary is a heavy read too.
    assert.equal(
      (
        await authedFetch(tokens[2]!)(
          `${hub.url}/api/reports/summary?siteId=${site.siteId}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
        )
      ).status,
      429,
    );
    // Lighter reads and /health are not limited.
    assert.equal((await fetch(`${hub.url}/health`)).status, 200);
    // One export read to its end frees its slot: the third manager gets in.
    const running = ten.find((x) => x.res.statusCode === 200)!;
    const csv = await bodyOf(running.res);
    assert.equal(csv.split('\r\n').length - 2, EVENTS);
    const d = await open(url, tokens[2]!);
    assert.equal(d.res.statusCode, 200);
    // A client that goes away mid-export frees its slot as well.
    for (const x of [...ten, ...b, d]) x.req.destroy();
    // (the hub notices each closed connection a moment later)
    await waitFor(
      () =>
        authedFetch(tokens[2]!)(
          `${hub.url}/api/reports/summary?siteId=${site.siteId}&from=${new Date(to - 7 * DAY).toISOString()}&to=${new Date(to).toISOString()}`,
        ).then((r) => r.status),
      (s) => s === 200,
      10_000,
      'slots freed by the closed exports',
    );
  },
);
