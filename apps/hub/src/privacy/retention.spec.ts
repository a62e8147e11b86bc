import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DataSource } from 'typeorm';
import { openTestHubDatabase } from '../../../../test/support/hub-database.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { AuditService } from '../audit/audit.service.js';
import { AdvisoryLockRepository } from '../cluster/advisory-lock.repository.js';
import { JobLock } from '../cluster/job-lock.js';
import { placeholders } from '../database/sql-dialect.js';
import { RetentionRepository } from './retention.repository.js';
import { SystemClock, type Clock } from '../time/clock.js';
import { RetentionService } from './retention.service.js';
import type { SiteRegistry } from '../registry/site-registry.service.js';
import type { SiteConfig } from '../../../../libs/contracts/src/index.js';

/** The registry as the purge reads it: the sites' own retention days. */
const sitesWith = (sites: Partial<SiteConfig>[] = []) => ({ all: () => sites }) as unknown as SiteRegistry;

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1, 12);
/** One millisecond either side of each cutoff. */
const past = (days: number) => NOW - days * DAY - 1;
const within = (days: number) => NOW - days * DAY + 1;

async function insert(db: DataSource, table: string, row: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(row);
  await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${placeholders(db)(cols.length)})`, Object.values(row));
}

const event = (id: string, occurredAt: number, siteId = 's1') => ({
  event_id: id,
  site_id: siteId,
  zone_id: 'z1',
  gate_id: 'g1',
  direction: 'entry',
  source: 'card',
  occurred_at: occurredAt,
  received_at: occurredAt,
  identity_json: 'g1:k1:xx',
  id_number_hmac: 'a'.repeat(64),
  attachments_json: '[{"kind":"face_crop","ref":"media://x"}]',
});
const alert = (id: string, raisedAt: number, status: string, closedAt: number | null) => ({
  id,
  site_id: 's1',
  zone_id: 'z1',
  gate_id: 'g1',
  event_id: `e-${id}`,
  entry_id: 'w1',
  list_kind: 'watchlist',
  severity: 'high',
  match_kind: 'face',
  score: 0.9,
  full_name_enc: 'g1:k1:xx',
  reason: 'r',
  snapshot_ref: 'media://snap',
  occurred_at: raisedAt,
  raised_at: raisedAt,
  status,
  closed_at: closedAt,
});

/** Rows just past and just within each configured age: exactly the due ones go; counts stay. */
async function scenario(databaseUrl?: string): Promise<void> {
  const days = {
    retentionEventsDays: 365,
    retentionIdentityDays: 30,
    retentionCropsDays: 7,
    retentionAlertsDays: 90,
    retentionAuditDays: 730,
    retentionDeadLettersDays: 14,
  };
  const { cfg, db } = await openTestHubDatabase(databaseUrl, days);
  try {
    for (const [id, at] of [
      ['ev-old', past(365)],
      ['ev-keep', within(365)],
      ['id-old', past(30)],
      ['id-keep', within(30)],
      ['crop-old', past(7)],
      ['crop-keep', within(7)],
    ] as const)
      await insert(db, 'gate_events', event(id, at));
    await insert(db, 'count_minutes', {
      site_id: 's1',
      gate_id: 'g1',
      minute: past(365) - (past(365) % 60_000),
      zone_id: 'z1',
      entries: 5,
      exits: 2,
    });
    await insert(db, 'alerts', alert('al-old', past(400), 'resolved', past(90)));
    await insert(db, 'alerts', alert('al-keep', past(400), 'false_positive', within(90)));
    await insert(db, 'alerts', alert('al-open', past(400), 'open', null));
    await insert(db, 'alerts', alert('al-new', within(7), 'acknowledged', null));
    for (const at of [past(730), within(730)])
      await insert(db, 'audit_log', { at, actor: 'x', action: 'watchlist.read', subject_type: 'watchlist_entry' });
    for (const [id, expires] of [
      ['rt-old', past(1)],
      ['rt-keep', within(1)],
    ] as const)
      await insert(db, 'refresh_tokens', {
        id,
        user_id: 1,
        family_id: 'f',
        token_hash: 'h',
        created_at: expires - 7 * 86_400_000,
        expires_at: expires,
        revoked_at: null,
      });
    for (const at of [past(14), within(14)])
      await insert(db, 'dead_letters', {
        received_at: at,
        topic: 't',
        reason: 'schema',
        detail: 'd',
        payload_bytes: 1,
        payload_excerpt: '{}',
      });

    // The hub's clock says NOW: the scheduled purge (no argument) judges ages by it.
    const clock: Clock = { now: () => NOW };
    const retention = new RetentionService(
      cfg,
      new RetentionRepository(db),
      clock,
      new AuditService(db),
      new JobLock(new AdvisoryLockRepository(db)),
      sitesWith(),
    );
    const report = await retention.purge();
    // Younger events lose their identity (ev-keep, id-old) and crop references (those four) by their own ages.
    assert.deepEqual(report, {
      events: 1,
      eventIdentities: 2,
      eventAttachments: 4,
      alertSnapshots: 3,
      alerts: 1,
      auditRows: 1,
      deadLetters: 1,
      refreshTokens: 1,
    });
    assert.deepEqual(
      (await db.query(`SELECT id FROM refresh_tokens`)).map((r: { id: string }) => r.id),
      ['rt-keep'],
    );

    const events: { event_id: string; identity_json: string | null; id_number_hmac: string | null; attachments_json: string | null }[] =
      await db.query(`SELECT event_id, identity_json, id_number_hmac, attachments_json FROM gate_events ORDER BY event_id`);
    const byId = new Map(events.map((e) => [e.event_id, e]));
    assert.deepEqual([...byId.keys()].sort(), ['crop-keep', 'crop-old', 'ev-keep', 'id-keep', 'id-old']);
    assert.equal(byId.get('ev-keep')!.identity_json, null, 'a year-old event keeps no identity');
    assert.equal(byId.get('id-old')!.identity_json, null);
    assert.equal(byId.get('id-old')!.id_number_hmac, null);
    assert.equal(byId.get('id-keep')!.identity_json, 'g1:k1:xx');
    assert.equal(byId.get('id-keep')!.attachments_json, null, 'crops go after 7 days');
    assert.equal(byId.get('crop-old')!.attachments_json, null);
    assert.ok(byId.get('crop-keep')!.attachments_json);
    assert.equal(byId.get('crop-keep')!.id_number_hmac, 'a'.repeat(64));

    const counts: { entries: number }[] = await db.query(`SELECT entries FROM count_minutes`);
    assert.deepEqual(
      counts.map((c) => Number(c.entries)),
      [5],
      'headcounts are kept',
    );
    const alerts: { id: string; snapshot_ref: string | null }[] = await db.query(`SELECT id, snapshot_ref FROM alerts ORDER BY id`);
    assert.deepEqual(alerts, [
      { id: 'al-keep', snapshot_ref: null },
      { id: 'al-new', snapshot_ref: 'media://snap' },
      { id: 'al-open', snapshot_ref: null },
    ]);
    const audit: { at: string | number; action: string; detail_json: string | null }[] = await db.query(
      `SELECT at, action, detail_json FROM audit_log ORDER BY id`,
    );
    assert.deepEqual(audit.map((a) => [Number(a.at), a.action]).slice(0, 1), [[within(730), 'watchlist.read']]);
    assert.equal(audit.length, 2);
    assert.equal(audit[1]!.action, 'retention.purge');
    assert.deepEqual(JSON.parse(audit[1]!.detail_json!), { ...report, at: new Date(NOW).toISOString() });
    const dead: { received_at: string | number }[] = await db.query(`SELECT received_at FROM dead_letters`);
    assert.deepEqual(
      dead.map((d) => Number(d.received_at)),
      [within(14)],
    );

    // Nothing more is due at the same instant; an idle run writes no audit row.
    assert.deepEqual(Object.values(await retention.purge(NOW)), [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal((await db.query(`SELECT id FROM audit_log`)).length, 2);
  } finally {
    await db.destroy();
  }
}

test('retention purges exactly the due rows on SQLite', () => scenario());

test('retention purges exactly the due rows on PostgreSQL', async () => {
  const pg = await createTestDatabase();
  try {
    await scenario(pg.url);
  } finally {
    await pg.drop();
  }
});

test('0 days keeps forever', async () => {
  const { cfg, db } = await openTestHubDatabase(undefined, {
    retentionEventsDays: 0,
    retentionIdentityDays: 0,
    retentionCropsDays: 0,
    retentionAuditDays: 0,
    retentionDeadLettersDays: 0,
    retentionAlertsDays: 0,
  });
  try {
    await insert(db, 'gate_events', event('ancient', 1));
    assert.deepEqual(
      Object.values(
        await new RetentionService(
          cfg,
          new RetentionRepository(db),
          new SystemClock(),
          new AuditService(db),
          new JobLock(new AdvisoryLockRepository(db)),
          sitesWith(),
        ).purge(NOW),
      ),
      [0, 0, 0, 0, 0, 0, 0, 0],
    );
    assert.equal((await db.query(`SELECT identity_json FROM gate_events`))[0].identity_json, 'g1:k1:xx');
  } finally {
    await db.destroy();
  }
});

test('a site’s own retention days (Administration → Sites) replace the defaults for that site only', async () => {
  const { cfg, db } = await openTestHubDatabase(undefined, { retentionEventsDays: 365, retentionIdentityDays: 30, retentionCropsDays: 7 });
  try {
    for (const [id, at, site] of [
      ['s1-11d', past(10), 's1'],
      ['s1-9d', within(10), 's1'],
      ['s2-11d', past(10), 's2'],
      ['s2-9d', within(10), 's2'],
    ] as const)
      await insert(db, 'gate_events', event(id, at, site));
    const sites = sitesWith([{ id: 's1', retention: { eventsDays: 10, cropsDays: 60 } }, { id: 's2' }]);
    const report = await new RetentionService(
      cfg,
      new RetentionRepository(db),
      { now: () => NOW },
      new AuditService(db),
      new JobLock(new AdvisoryLockRepository(db)),
      sites,
    ).purge();
    assert.equal(report.events, 1, "only s1's 11-day-old event is past its site's 10 days");
    const rows: { event_id: string; identity_json: string | null; attachments_json: string | null }[] = await db.query(
      `SELECT event_id, identity_json, attachments_json FROM gate_events ORDER BY event_id`,
    );
    assert.deepEqual(
      rows.map((r) => [r.event_id, r.identity_json !== null, r.attachments_json !== null]),
      [
        ['s1-9d', true, true],
        ['s2-11d', true, false],
        ['s2-9d', true, false],
      ],
      's1 keeps crops 60 days, s2 the default 7; identities follow the default 30 on both',
    );
  } finally {
    await db.destroy();
  }
});
