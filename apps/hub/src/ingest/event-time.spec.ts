import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { DataSource } from 'typeorm';
import { v7 } from 'uuid';
import { topics, type GateEvent } from '../../../../libs/contracts/src/index.js';
import { issueGateCredentials, login } from '../../../../test/support/hub-auth.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { RetentionService } from '../privacy/retention.service.js';
import { EventBatcher } from './event-batcher.service.js';

const DAY = 86_400_000;

async function runEventTime(databaseUrl?: string): Promise<void> {
  // Events are kept 5 days here, so the 30-day backlog window shrinks to 5.
  const { hub, siteA } = await startTwoSiteHub({ databaseUrl, retentionEventsDays: 5, retentionIntervalMin: 0 });
  let gate: mqtt.MqttClient | undefined;
  try {
    const adminToken = (await login(hub.url)).accessToken;
    const c = (await issueGateCredentials(hub.url, adminToken, siteA, ['g1'])).get('g1')!;
    gate = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: c.username,
      password: c.password,
      clientId: c.username,
      protocolVersion: 4,
    });
    const db = hub.app.get(DataSource);
    const ev = (occurredAt: string, eventId = v7()): GateEvent => ({
      eventId,
      siteId: siteA,
      zoneId: 'sanh',
      gateId: 'g1',
      direction: 'entry',
      source: 'camera',
      occurredAt,
    });
    const send = (e: GateEvent) => gate!.publishAsync(topics.gateEvents(siteA, 'g1'), JSON.stringify(e), { qos: 1 });
    const refused = async () =>
      Number((await db.query(`SELECT COUNT(*) AS n FROM dead_letters WHERE reason = 'occurred_at_out_of_range'`))[0].n);
    const stored = async () =>
      ((await db.query(`SELECT event_id FROM gate_events`)) as { event_id: string }[]).map((r) => r.event_id).sort();
    const counted = async () => Number((await db.query(`SELECT COALESCE(SUM(entries), 0) AS n FROM count_minutes`))[0].n);

    const now = Date.now();
    const tooOld = [ev('1970-01-01T00:00:00.000Z'), ev(new Date(now - 6 * DAY).toISOString())];
    const tooNew = [ev('9999-12-31T23:59:59.000Z'), ev(new Date(now + 10 * 60_000).toISOString())];
    const ok = [ev(new Date(now - 4 * DAY).toISOString()), ev(new Date(now + 2 * 60_000).toISOString()), ev(new Date(now).toISOString())];
    for (const e of [...tooOld, ...tooNew, ...ok]) await send(e);
    await waitFor(refused, (n) => n === 4, 10_000, 'the four out-of-range events dead-lettered');
    await waitFor(stored, (s) => s.length === 3, 10_000, 'the three in range stored');
    assert.deepEqual(await stored(), ok.map((e) => e.eventId).sort());
    assert.equal(await counted(), 3);

    // An event stored while young enough, purged by retention once older than 5 days, then sent again
    // (an edge restoring an old outbox): refused, so it is not counted a second time.
    const old = ev(new Date(now - 5 * DAY - 60_000).toISOString());
    await hub.app.get(EventBatcher).submit(old);
    assert.equal(await counted(), 4);
    const report = await hub.app.get(RetentionService).purge();
    assert.equal(report.events, 1);
    assert.ok(!(await stored()).includes(old.eventId), 'purged');
    await send(old);
    await waitFor(refused, (n) => n === 5, 10_000, 'the purged event, re-sent, is refused');
    assert.ok(!(await stored()).includes(old.eventId));
    assert.equal(await counted(), 4, 'and counted once only');
  } finally {
    await gate?.endAsync();
    await hub.close();
  }
}

test(
  'event time on SQLite: occurredAt bounded by the hub clock (backlog window capped at retention); a purged event re-sent is not counted twice',
  { timeout: 60_000 },
  async () => {
    await runEventTime();
  },
);

test('event time on PostgreSQL: the same', { timeout: 60_000 }, async () => {
  const pg = await createTestDatabase();
  try {
    await runEventTime(pg.url);
  } finally {
    await pg.drop();
  }
});
