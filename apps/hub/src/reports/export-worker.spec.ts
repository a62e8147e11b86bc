import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { v7 } from 'uuid';
import { authedFetch, login } from '../../../../test/support/hub-auth.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import type { HubConfig } from '../config/hub-config.js';

const DAY = 86_400_000;
const EVENTS = 5000; // more than two of the export's pages

/**
 * Exports are read and formatted in a worker thread with its own connection, never on the hub's main
 * thread (whose gate ingest and /health they held for up to a second). The hub's own DataSource is
 * watched: no export page may be read through it. The export's content is still the whole range in
 * order, and a client that goes away ends the worker's reading (its PostgreSQL connection closes).
 */
async function scenario(extra: Partial<HubConfig>, pgActivity?: (app: string) => Promise<number>) {
  const { hub, siteA } = await startTwoSiteHub(extra);
  try {
    const db = hub.app.get(DataSource);
    const pg = db.options.type === 'postgres';
    const to = Math.floor(Date.now() / DAY) * DAY;
    const from = to - 30 * DAY;
    const ids: string[] = [];
    await db.transaction(async (m) => {
      for (let i = 0; i < EVENTS; i += 500) {
        const rows = Array.from({ length: Math.min(500, EVENTS - i) }, (_, k) => {
          const at = from + Math.floor(((i + k) / EVENTS) * 30 * DAY);
          const id = v7();
          ids.push(id);
          return [id, siteA, 'sanh', 'g1', null, (i + k) % 2 ? 'exit' : 'entry', 'camera', at, at + 50];
        });
        let n = 0;
        const ph = () => (pg ? `$${++n}` : '?');
        await m.query(
          `INSERT INTO gate_events (event_id, site_id, zone_id, gate_id, lane_id, direction, source, occurred_at, received_at) VALUES ${rows.map(() => `(${Array.from({ length: 9 }, ph).join(', ')})`).join(', ')}`,
          rows.flat(),
        );
      }
    });

    // Every query the main thread's connection runs from now on.
    const seen: string[] = [];
    const query = db.query.bind(db);
    db.query = ((sql: string, params?: unknown[]) => (seen.push(sql), query(sql, params))) as typeof db.query;

    const token = (await login(hub.url)).accessToken;
    const url = `${hub.url}/api/reports/export?siteId=${siteA}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&format=csv`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const rows = parse((await res.text()).replace(/^\ufeff/, ''), { columns: true }) as { event_id: string; gate: string }[];
    assert.equal(rows.length, EVENTS, 'every event of the range');
    assert.deepEqual(
      rows.map((r) => r.event_id),
      [...ids].sort((a, b) => a.localeCompare(b)),
      'in time order (v7 ids: the same order)',
    );
    const xlsx = await fetch(url.replace('format=csv', 'format=xlsx&lang=vi'), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(xlsx.status, 200);
    const zip = Buffer.from(await xlsx.arrayBuffer());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(zip as never);
    const events = wb.worksheets.at(-1)!;
    assert.equal(events.rowCount, EVENTS + 1, "the workbook's events sheet: header + every event");
    assert.equal(String(events.getRow(2).getCell(1).value), [...ids].sort((a, b) => a.localeCompare(b))[0]);
    assert.deepEqual(
      seen.filter((s) => /FROM gate_events .*ORDER BY occurred_at, event_id/.test(s)),
      [],
      'no export page read on the main thread',
    );

    // A client that stops reading and goes away: the export's own connection is closed.
    if (pgActivity) {
      await new Promise<void>((resolve, reject) => {
        const u = new URL(url);
        const req = request(
          { host: u.hostname, port: u.port, path: u.pathname + u.search, agent: false, headers: { authorization: `Bearer ${token}` } },
          (r) => {
            r.pause();
            void waitFor(
              () => pgActivity('cong-hub-export'),
              (n) => n >= 1,
              15_000,
              'the export connection',
            ).then(() => {
              req.destroy();
              resolve();
            }, reject);
          },
        );
        req.on('error', () => undefined);
        req.end();
      });
      await waitFor(
        () => pgActivity('cong-hub-export'),
        (n) => n === 0,
        15_000,
        'the export connection closed',
      );
    }
    // The main thread's own reads still work (the hub is fine after its exports).
    assert.equal((await authedFetch(token)(`${hub.url}/api/events?siteId=${siteA}&limit=5`)).status, 200);
  } finally {
    await hub.close();
  }
}

test(
  'exports on SQLite are read and formatted in a worker thread (its own read-only connection): whole range, in order, none of it on the main thread',
  { timeout: 90_000 },
  async () => {
    await scenario({});
  },
);

test(
  "exports on PostgreSQL: the same through the worker's own connection, closed when the client goes away",
  { timeout: 90_000 },
  async () => {
    const pgdb = await createTestDatabase();
    try {
      const name = new URL(pgdb.url).pathname.slice(1);
      await scenario({ databaseUrl: pgdb.url }, async (app) => {
        const c = new pg.Client({ connectionString: pgdb.url });
        await c.connect();
        try {
          const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [
            name,
            app,
          ]);
          return (r.rows[0] as { n: number }).n;
        } finally {
          await c.end();
        }
      });
    } finally {
      await pgdb.drop();
    }
  },
);
