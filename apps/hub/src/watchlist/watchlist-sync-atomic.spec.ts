import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { DataSource } from 'typeorm';
import { topics, type WatchlistDelta, type WatchlistPage } from '../../../../libs/contracts/src/index.js';
import { authedFetch, issueGateCredentials, login } from '../../../../test/support/hub-auth.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';

/** A storage failure at the moment the sequence number is bumped (a real trigger in the real database). */
async function failSequenceBumps(db: DataSource, on: boolean): Promise<void> {
  if (db.options.type === 'postgres') {
    if (on) {
      await db.query(
        `CREATE OR REPLACE FUNCTION cg_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated storage failure'; END $$ LANGUAGE plpgsql`,
      );
      await db.query(`CREATE TRIGGER cg_test_fail BEFORE UPDATE ON watchlist_sync FOR EACH ROW EXECUTE FUNCTION cg_test_fail()`);
    } else await db.query(`DROP TRIGGER cg_test_fail ON watchlist_sync`);
    return;
  }
  if (on)
    await db.query(
      `CREATE TRIGGER cg_test_fail BEFORE UPDATE ON watchlist_sync BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END`,
    );
  else await db.query(`DROP TRIGGER cg_test_fail`);
}

async function runAtomicSync(databaseUrl?: string): Promise<void> {
  const { hub, siteA } = await startTwoSiteHub({ databaseUrl });
  let gate: mqtt.MqttClient | undefined;
  try {
    const adminToken = (await login(hub.url)).accessToken;
    const admin = authedFetch(adminToken);
    const c = (await issueGateCredentials(hub.url, adminToken, siteA, ['g1'])).get('g1')!;
    gate = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: c.username,
      password: c.password,
      clientId: c.username,
      protocolVersion: 4,
    });
    // The edge's view, built only from the deltas it receives, in order.
    const edge = { seq: 0, entries: new Set<string>(), gaps: 0 };
    gate.on('message', (_t, p) => {
      const d = JSON.parse(p.toString()) as WatchlistDelta;
      if (d.seq <= edge.seq) return;
      if (d.seq !== edge.seq + 1) edge.gaps++;
      edge.seq = d.seq;
      for (const u of d.upserts) edge.entries.add(u.entryId);
      for (const r of d.removes) edge.entries.delete(r);
    });
    await gate.subscribeAsync(topics.siteWatchlist(siteA), { qos: 1 });
    const wl = `${hub.url}/api/sites/${siteA}/watchlist`;
    const hubEntries = async () => new Set(((await (await admin(wl)).json()) as WatchlistPage).items.map((e) => e.entryId));
    const create = async (idNumber: string) => {
      const r = await admin(wl, { method: 'POST', body: { fullName: 'Lê Văn C', idNumber } });
      return { status: r.status, body: (await r.json()) as { entry: { entryId: string } } };
    };

    const kept = await create('001099000001');
    assert.equal(kept.status, 201);
    const erased = await create('001099000002');
    await waitFor(
      () => edge.seq,
      (s) => s === 2,
      10_000,
      'both entries reach the edge',
    );

    const db = hub.app.get(DataSource);
    await failSequenceBumps(db, true);
    // The database fails while the change is recorded: the change must not happen without its delta.
    const del = await admin(`${wl}/${erased.body.entry.entryId}`, { method: 'DELETE' });
    assert.equal(del.status, 500);
    assert.equal((await create('001099000003')).status, 500);
    assert.deepEqual(
      await hubEntries(),
      new Set([kept.body.entry.entryId, erased.body.entry.entryId]),
      'a change whose sequence number failed is rolled back with it',
    );
    await failSequenceBumps(db, false);

    // The storage is back: the erasure goes through and reaches the edge with the next number.
    assert.equal((await admin(`${wl}/${erased.body.entry.entryId}`, { method: 'DELETE' })).status, 204);
    await waitFor(
      () => edge.seq,
      (s) => s === 3,
      10_000,
      'the removal reaches the edge',
    );
    assert.deepEqual(edge.entries, await hubEntries(), 'the edge holds exactly what the hub holds');
    assert.equal(edge.gaps, 0);
    assert.equal(Number((await db.query(`SELECT COUNT(*) AS n FROM watchlist_outbox`))[0].n), 0, 'the outbox is empty once published');
  } finally {
    await gate?.endAsync();
    await hub.close();
  }
}

test(
  'watchlist sync on SQLite: a change and its sequence number commit together; the edge never misses one',
  { timeout: 60_000 },
  async () => {
    await runAtomicSync();
  },
);

test('watchlist sync on PostgreSQL: the same', { timeout: 60_000 }, async () => {
  const pg = await createTestDatabase();
  try {
    await runAtomicSync(pg.url);
  } finally {
    await pg.drop();
  }
});
