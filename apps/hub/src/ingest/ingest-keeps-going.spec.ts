import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { DataSource } from 'typeorm';
import { v7 } from 'uuid';
import { topics } from '../../../../libs/contracts/src/index.js';
import { issueGateCredentials, login } from '../../../../test/support/hub-auth.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { LiveGateway } from '../realtime/live.gateway.js';

test('ingest keeps going when the live push after a commit fails (a database error reading counts)', { timeout: 60_000 }, async () => {
  const { hub, siteA } = await startTwoSiteHub();
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
    // The first two pushes fail as a lost database connection would.
    const live = hub.app.get(LiveGateway);
    const real = live.pushCounts.bind(live);
    let failures = 2;
    live.pushCounts = async (siteId, minutes) => {
      if (failures-- > 0) throw new Error('Connection terminated unexpectedly');
      return real(siteId, minutes);
    };
    const db = hub.app.get(DataSource);
    const stored = async () => Number((await db.query(`SELECT COUNT(*) AS n FROM gate_events`))[0].n);
    const send = (n: number) =>
      Promise.all(
        Array.from({ length: n }, () =>
          gate!.publishAsync(
            topics.gateEvents(siteA, 'g1'),
            JSON.stringify({
              eventId: v7(),
              siteId: siteA,
              zoneId: 'sanh',
              gateId: 'g1',
              direction: 'entry',
              source: 'camera',
              occurredAt: new Date().toISOString(),
            }),
            { qos: 1 },
          ),
        ),
      );
    await send(1);
    await waitFor(stored, (n) => n === 1, 5000, 'the first event');
    // Later messages, one at a time and in a burst, are still stored and acknowledged.
    await send(1);
    await waitFor(stored, (n) => n === 2, 5000, 'an event after the failed push');
    await send(50);
    await waitFor(stored, (n) => n === 52, 5000, 'a burst after the failures');
    assert.ok(failures < 0, 'the failing pushes happened');
  } finally {
    await gate?.endAsync();
    await hub.close();
  }
});
