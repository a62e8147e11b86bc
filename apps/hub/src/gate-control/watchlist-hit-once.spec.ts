import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { v7 } from 'uuid';
import { SocketEvents, topics, type Alert, type GateEvent, type LaneState } from '../../../../libs/contracts/src/index.js';
import { authedFetch, issueGateCredentials, login } from '../../../../test/support/hub-auth.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { facePhoto } from '../../../../test/support/watchlist-fixtures.js';
import { AlertChecker } from '../alerts/alert-checker.service.js';

/**
 * One watchlist hit, one signal per person: a lane's watchlist refusal reaches security as the alert
 * its stored event raises, and the operator (whom the alert rule does not notify) as the lane's
 * `lane:watchlist-hit` banner; neither gets it twice.
 */
test(
  'a watchlist hit at a lane: security gets one alert and no lane banner, the operator the banner only',
  { timeout: 60_000 },
  async () => {
    const { hub, siteA } = await startTwoSiteHub();
    const sockets: Socket[] = [];
    let gate: mqtt.MqttClient | undefined;
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const admin = authedFetch(adminToken);
      for (const [username, role] of [
        ['sec-a', 'security'],
        ['op-a', 'operator'],
      ] as const)
        assert.equal(
          (
            await admin(`${hub.url}/api/users`, {
              method: 'POST',
              body: { mustChangePassword: false, username, password: 'a-long-password-123', role, siteIds: [siteA] },
            })
          ).status,
          201,
        );
      const created = await admin(`${hub.url}/api/sites/${siteA}/watchlist`, {
        method: 'POST',
        body: {
          fullName: 'Nguyễn Văn A',
          idNumber: '001099012345',
          reason: 'Truy nã (test)',
          severity: 'critical',
          photos: [facePhoto('df01/1.jpg').toString('base64')],
        },
      });
      assert.equal(created.status, 201, await created.clone().text());

      const seen = new Map<string, { hits: unknown[]; alerts: Alert[]; states: LaneState[] }>();
      for (const who of ['sec-a', 'op-a']) {
        const token = (await login(hub.url, who, 'a-long-password-123')).accessToken;
        const so = io(hub.url, { transports: ['websocket'], auth: { token }, reconnection: false });
        sockets.push(so);
        const sink = { hits: [] as unknown[], alerts: [] as Alert[], states: [] as LaneState[] };
        seen.set(who, sink);
        so.on(SocketEvents.laneWatchlistHit, (h: unknown) => sink.hits.push(h));
        so.on(SocketEvents.alertNew, (a: Alert) => sink.alerts.push(a));
        so.on(SocketEvents.laneState, (s: LaneState) => sink.states.push(s));
        await new Promise<void>((r, j) => {
          so.once('connect', () => r());
          so.once('connect_error', j);
        });
        assert.deepEqual(await so.timeout(5000).emitWithAck(SocketEvents.subscribe, { siteIds: [siteA] }), { ok: true });
      }

      const c = (await issueGateCredentials(hub.url, adminToken, siteA, ['g1'])).get('g1')!;
      gate = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
        username: c.username,
        password: c.password,
        clientId: c.username,
        protocolVersion: 4,
      });
      const decisionId = v7();
      const at = new Date().toISOString();
      // The lane refuses (its local watchlist matched the CCCD number) and tells the consoles at once ...
      const lane: LaneState = {
        siteId: siteA,
        gateId: 'g1',
        laneId: 'l1',
        phase: 'denied',
        at,
        decisionId,
        outcome: 'deny',
        reasons: ['watchlist'],
        watchlist: { listKind: 'watchlist', entryId: 'e-1', severity: 'critical', by: 'id_number' },
      };
      await gate.publishAsync(topics.gateLanes(siteA, 'g1'), JSON.stringify(lane), { qos: 1 });
      // ... and its outbox delivers the refusal as an event, which the hub stores and checks.
      const refusal: GateEvent = {
        eventId: v7(),
        siteId: siteA,
        zoneId: 'sanh',
        gateId: 'g1',
        laneId: 'l1',
        direction: 'entry',
        source: 'card',
        occurredAt: at,
        identity: { idNumber: '001099012345' },
        decision: { decisionId, outcome: 'deny', reasons: ['watchlist'], method: 'chip_face' },
      };
      await gate.publishAsync(topics.gateEvents(siteA, 'g1'), JSON.stringify(refusal), { qos: 1 });

      for (const who of ['sec-a', 'op-a'])
        await waitFor(
          () => seen.get(who)!.states.length,
          (n) => n === 1,
          10_000,
          `${who} sees the lane`,
        );
      await waitFor(
        () => seen.get('sec-a')!.alerts.length,
        (n) => n >= 1,
        20_000,
        'the alert reaches security',
      );
      await hub.app.get(AlertChecker).settled();
      const sec = seen.get('sec-a')!;
      const op = seen.get('op-a')!;
      assert.equal(sec.alerts.length, 1, 'security: one alert');
      assert.equal(sec.alerts[0]!.eventId, refusal.eventId);
      assert.deepEqual(sec.hits, [], 'security: no second signal from the lane');
      assert.equal(op.hits.length, 1, 'operator: the lane banner');
      assert.deepEqual(op.alerts, [], 'operator: no alert (not in the site rule)');
    } finally {
      for (const so of sockets) so.disconnect();
      await gate?.endAsync();
      await hub.close();
    }
  },
);
