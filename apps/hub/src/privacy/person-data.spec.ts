import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { DataSource } from 'typeorm';
import { v7 } from 'uuid';
import {
  topics,
  type GateEvent,
  type PersonEraseResult,
  type PersonExport,
  type WatchlistDelta,
  type WatchlistEnrolResult,
} from '../../../../libs/contracts/src/index.js';
import { authedFetch, issueGateCredentials, login, TEST_ADMIN_CONFIG } from '../../../../test/support/hub-auth.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { twoSites } from '../../../../test/support/watchlist-fixtures.js';
import { AlertChecker } from '../alerts/alert-checker.service.js';
import { hubConfigFromEnv } from '../config/hub-config.js';
import { startHub } from '../hub-app.js';
import { EventBatcher } from '../ingest/event-batcher.service.js';
import { DataCipher } from './data-cipher.js';

const X = '001099077777';
const Y = '079188000123';

/**
 * Export and erase of one person by CCCD number on a running hub: admin only; export decrypts their
 * watchlist entries, events and alerts (and only theirs; by site when asked); erase removes entries and
 * templates (edges get the removal delta), blanks the identity of their events but keeps the events and
 * counts, deletes their alerts; both audited under the HMAC, never the number.
 */
async function scenario(databaseUrl?: string): Promise<void> {
  const s = twoSites('p');
  const hub = await startHub(
    hubConfigFromEnv(
      {},
      {
        port: 0,
        embeddedMqttPort: 0,
        embeddedMqttHost: '127.0.0.1',
        sitesFile: s.sitesFile,
        sqlitePath: `${s.dir}/hub.db`,
        databaseUrl,
        dataKeyFile: `${s.dir}/keys.json`,
        jwtSecretFile: `${s.dir}/jwt.key`,
        retentionIntervalMin: 0,
        ...TEST_ADMIN_CONFIG,
      },
    ),
    false,
  );
  let gate: mqtt.MqttClient | null = null;
  try {
    const adminToken = (await login(hub.url)).accessToken;
    const admin = authedFetch(adminToken);
    const enrol = async (siteId: string, fullName: string, idNumber: string) => {
      const res = await admin(`${hub.url}/api/sites/${siteId}/watchlist`, {
        method: 'POST',
        body: { fullName, idNumber, reason: 'Truy nã (test)', severity: 'high' },
      });
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as WatchlistEnrolResult).entry.entryId;
    };
    const xA = await enrol(s.a, 'Trần Thị X', X);
    const xB = await enrol(s.b, 'Trần Thị X', X);
    const yA = await enrol(s.a, 'Lê Văn Y', Y);

    // A gate of site A listens to its watchlist deltas, as an edge does.
    const c = (await issueGateCredentials(hub.url, adminToken, s.a, ['g1'])).get('g1')!;
    gate = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: c.username,
      password: c.password,
      clientId: c.username,
      protocolVersion: 4,
    });
    const deltas: WatchlistDelta[] = [];
    gate.on('message', (_t, p) => deltas.push(JSON.parse(p.toString()) as WatchlistDelta));
    await gate.subscribeAsync(topics.siteWatchlist(s.a), { qos: 1 });

    const ev = (siteId: string, idNumber: string, fullName: string): GateEvent => ({
      eventId: v7(),
      siteId,
      zoneId: 'z1',
      gateId: 'g1',
      direction: 'entry',
      source: 'card',
      occurredAt: new Date().toISOString(),
      identity: { idNumber, fullName },
      attachments: [{ kind: 'face_crop', ref: `media://g1/${idNumber}.jpg` }],
    });
    const eXA = ev(s.a, X, 'Trần Thị X');
    const eXB = ev(s.b, X, 'Trần Thị X');
    const eYA = ev(s.a, Y, 'Lê Văn Y');
    const batcher = hub.app.get(EventBatcher);
    await Promise.all([eXA, eXB, eYA].map((e) => batcher.submit(e)));
    await hub.app.get(AlertChecker).settled();
    const db = hub.app.get(DataSource);
    assert.equal((await db.query(`SELECT id FROM alerts`)).length, 3, 'each event raised an alert');
    const countSum = async () => Number((await db.query(`SELECT SUM(entries) AS n FROM count_minutes`))[0].n);
    assert.equal(await countSum(), 3);

    // A message the hub refuses (schema error) carrying X's identity: kept encrypted, reached by export and erase.
    await gate.publishAsync(topics.gateEvents(s.a, 'g1'), JSON.stringify({ ...ev(s.a, X, 'Trần Thị X'), direction: 'sideways' }), {
      qos: 1,
    });
    await waitFor(
      async () => Number((await db.query(`SELECT COUNT(*) AS n FROM dead_letters`))[0].n),
      (n) => n === 1,
      5000,
      'dead letter stored',
    );
    const rawDead = JSON.stringify(await db.query(`SELECT * FROM dead_letters`));
    assert.ok(!rawDead.includes(X) && !rawDead.includes('Trần Thị X'), `no identity in clear in dead_letters: ${rawDead.slice(0, 300)}`);
    const listed = (await (await admin(`${hub.url}/api/dead-letters`)).json()) as { payloadExcerpt: string; reason: string }[];
    assert.equal(listed[0]!.reason, 'schema');
    assert.ok(listed[0]!.payloadExcerpt.includes(X), 'an admin reads the excerpt');

    // Admin only.
    await admin(`${hub.url}/api/users`, {
      method: 'POST',
      body: { mustChangePassword: false, username: 'sec-a', password: 'a-long-password-123', role: 'security', siteIds: [s.a] },
    });
    const sec = authedFetch((await login(hub.url, 'sec-a', 'a-long-password-123')).accessToken);
    assert.equal((await sec(`${hub.url}/api/privacy/person-export`, { method: 'POST', body: { idNumber: X } })).status, 403);
    assert.equal((await admin(`${hub.url}/api/privacy/person-export`, { method: 'POST', body: { idNumber: '123' } })).status, 400);

    const exportOf = async (body: object) => {
      const res = await admin(`${hub.url}/api/privacy/person-export`, { method: 'POST', body });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as PersonExport;
    };
    const all = await exportOf({ idNumber: X });
    assert.deepEqual(all.watchlistEntries.map((e) => e.entryId).sort(), [xA, xB].sort());
    assert.ok(all.watchlistEntries.every((e) => e.idNumber === X && e.fullName === 'Trần Thị X'));
    assert.deepEqual(all.events.map((e) => e.eventId).sort(), [eXA.eventId, eXB.eventId].sort());
    assert.ok(all.events.every((e) => e.identity.idNumber === X && e.identity.fullName === 'Trần Thị X'));
    assert.deepEqual(all.alerts.map((a) => a.entryId).sort(), [xA, xB].sort());
    assert.equal(all.deadLetters.length, 1);
    assert.ok(all.deadLetters[0]!.payloadExcerpt.includes('Trần Thị X'));
    assert.equal((await exportOf({ idNumber: Y })).deadLetters.length, 0, "another person's export holds none of X's messages");
    const onlyA = await exportOf({ idNumber: X, siteId: s.a });
    assert.deepEqual([onlyA.watchlistEntries.length, onlyA.events.length, onlyA.alerts.length], [1, 1, 1]);
    assert.equal(onlyA.events[0]!.eventId, eXA.eventId);

    // Erase everywhere.
    const er = await admin(`${hub.url}/api/privacy/person-erase`, { method: 'POST', body: { idNumber: X } });
    assert.equal(er.status, 200);
    assert.deepEqual((await er.json()) as PersonEraseResult, {
      watchlistEntries: 2,
      eventIdentities: 2,
      alerts: 2,
      deadLetters: 1,
      edgeCrops: 0,
      edges: [],
    });
    assert.equal(Number((await db.query(`SELECT COUNT(*) AS n FROM dead_letters`))[0].n), 0, 'their refused message is gone');

    const entries: { id: string }[] = await db.query(`SELECT id FROM watchlist_entries`);
    assert.deepEqual(
      entries.map((e) => e.id),
      [yA],
      'only the other person is left on the lists',
    );
    assert.equal((await db.query(`SELECT id FROM watchlist_templates WHERE entry_id IN ('${xA}', '${xB}')`)).length, 0);
    const events: { event_id: string; identity_json: string | null; id_number_hmac: string | null; attachments_json: string | null }[] =
      await db.query(`SELECT event_id, identity_json, id_number_hmac, attachments_json FROM gate_events`);
    assert.equal(events.length, 3, 'events stay');
    for (const e of events) {
      const erased = e.event_id !== eYA.eventId;
      assert.equal(e.identity_json === null && e.id_number_hmac === null && e.attachments_json === null, erased, e.event_id);
    }
    assert.equal(await countSum(), 3, 'headcounts unchanged');
    const alerts: { entry_id: string }[] = await db.query(`SELECT entry_id FROM alerts`);
    assert.deepEqual(
      alerts.map((a) => a.entry_id),
      [yA],
    );
    await waitFor(
      () => deltas.flatMap((d) => d.removes),
      (r) => r.includes(xA),
      5000,
      'removal delta to site A edges',
    );
    assert.ok(!deltas.some((d) => d.removes.includes(xB)), "site B's entry is not sent to site A");

    const after = await exportOf({ idNumber: X });
    assert.deepEqual([after.watchlistEntries.length, after.events.length, after.alerts.length, after.deadLetters.length], [0, 0, 0, 0]);
    assert.equal((await exportOf({ idNumber: Y })).events.length, 1, 'the other person is untouched');

    // Audited under the HMAC; the clear number appears nowhere in the audit log.
    const hmac = hub.app.get(DataCipher).idHmac(X);
    const audit: { action: string; subject_id: string | null; detail_json: string | null }[] = await db.query(
      `SELECT action, subject_id, detail_json FROM audit_log WHERE subject_type = 'person'`,
    );
    assert.deepEqual(
      audit.filter((a) => a.subject_id === hmac).map((a) => a.action),
      ['person.export', 'person.export', 'person.erase', 'person.export'],
    );
    assert.ok(audit.every((a) => !`${a.subject_id}${a.detail_json}`.includes(X)));
  } finally {
    await gate?.endAsync().catch(() => undefined);
    await hub.close();
  }
}

test('person export and erase by CCCD number on SQLite', { timeout: 120_000 }, () => scenario());

test('person export and erase by CCCD number on PostgreSQL', { timeout: 120_000 }, async () => {
  const pg = await createTestDatabase();
  try {
    await scenario(pg.url);
  } finally {
    await pg.drop();
  }
});
