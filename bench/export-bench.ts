/**
 * npm run bench:export [-- --events 1000000 --format xlsx,csv]
 * Exports a year of events from a hub running as its own process (SQLite): the events are written
 * straight into the hub's database first (spread over 365 days, 3 % lane refusals), then
 * GET /api/reports/export streams them as CSV and as XLSX to a client that counts bytes. Prints the
 * time, rows, bytes and the hub's peak resident memory (VmHWM, and the highest VmRSS sampled every
 * 50 ms during the export) against its idle memory: bounded memory means the peak does not grow
 * with the number of events.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { v7 } from 'uuid';
import { login, TEST_ADMIN_ENV } from '../test/support/hub-auth.js';
import { HubProcess } from '../test/support/hub-process.js';
import { freePort } from '../test/support/ports.js';
import { testSite } from '../test/support/test-site.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '1000000' }, format: { type: 'string', default: 'csv,xlsx' } },
});
const EVENTS = Number(values.events);
const FORMATS = values.format.split(',') as ('csv' | 'xlsx')[];
const DAY = 86_400_000;

const memKb = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const site = testSite('export');
  const env = {
    HUB_SITES_FILE: site.sitesFile,
    SQLITE_PATH: join(site.dir, 'hub.db'),
    HUB_DATA_KEY_FILE: join(site.dir, 'keys.json'),
    HUB_JWT_SECRET_FILE: join(site.dir, 'jwt.key'),
    EMBEDDED_MQTT_PORT: String(await freePort()),
    EMBEDDED_MQTT_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    HUB_RETENTION_INTERVAL_MIN: '0',
    ...TEST_ADMIN_ENV,
  };
  // First start creates the schema; then the year of events goes straight into the database.
  const first = new HubProcess(env);
  await first.start();
  await first.stop();
  const to = Math.floor(Date.now() / DAY) * DAY;
  const from = to - 365 * DAY;
  const t0 = performance.now();
  const db = new Database(env.SQLITE_PATH);
  const insert = db.prepare(
    'INSERT INTO gate_events (event_id, site_id, zone_id, gate_id, lane_id, direction, source, occurred_at, received_at, decision_json, decision_outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const gates = [
    ['sanh-a', 'g1'],
    ['sanh-a', 'g2'],
    ['sanh-b', 'g3'],
  ] as const;
  const fill = db.transaction((n: number, start: number) => {
    for (let i = start; i < start + n; i++) {
      const at = from + Math.floor((i / EVENTS) * 365 * DAY);
      const [zone, gate] = gates[i % 3]!;
      const refused = i % 33 === 0;
      insert.run(
        v7(),
        site.siteId,
        zone,
        gate,
        refused ? 'l1' : null,
        i % 2 ? 'exit' : 'entry',
        refused ? 'card' : 'camera',
        at,
        at + 50,
        refused ? JSON.stringify({ decisionId: 'x', outcome: 'deny', reasons: ['face_mismatch'], method: 'chip_face' }) : null,
        refused ? 'deny' : null,
      );
    }
  });
  for (let i = 0; i < EVENTS; i += 50_000) fill(Math.min(50_000, EVENTS - i), i);
  db.close();
  console.log(`seeded ${EVENTS.toLocaleString('en')} events over 365 days in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const hub = new HubProcess(env);
  await hub.start();
  try {
    const pid = hub.pid!;
    const { accessToken } = await login(hub.url);
    await new Promise((r) => setTimeout(r, 1000));
    const idle = memKb(pid, 'VmRSS');
    console.log(`hub idle RSS ${mb(idle)}`);
    for (const format of FORMATS) {
      let sampled = 0;
      const sampler = setInterval(() => (sampled = Math.max(sampled, memKb(pid, 'VmRSS'))), 50);
      const started = performance.now();
      const res = await fetch(
        `${hub.url}/api/reports/export?siteId=${site.siteId}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&format=${format}`,
        {
          headers: { authorization: `Bearer ${accessToken}` },
        },
      );
      if (!res.ok) throw new Error(`export ${format}: ${res.status} ${await res.text()}`);
      let bytes = 0;
      let lines = 0;
      for await (const chunk of res.body!) {
        bytes += chunk.length;
        if (format === 'csv') for (const b of chunk as Uint8Array) if (b === 10) lines++;
      }
      clearInterval(sampler);
      const secs = (performance.now() - started) / 1000;
      const rows = format === 'csv' ? `${(lines - 1).toLocaleString('en')} rows, ` : '';
      console.log(
        `${format}: ${rows}${(bytes / 1e6).toFixed(1)} MB in ${secs.toFixed(1)} s (${Math.round(EVENTS / secs).toLocaleString('en')} events/s); ` +
          `hub peak RSS ${mb(sampled)} sampled, VmHWM ${mb(memKb(pid, 'VmHWM'))} (idle ${mb(idle)})`,
      );
      if (format === 'csv' && lines - 1 !== EVENTS) throw new Error(`csv has ${lines - 1} rows, expected ${EVENTS}`);
    }
  } finally {
    await hub.stop();
  }
}

await main();
