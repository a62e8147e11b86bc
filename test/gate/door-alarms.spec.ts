import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Alert } from '../../libs/contracts/src/index.js';
import { startEdge, type EdgeApp } from '../../edge/src/edge-app.js';
import { GateLinks } from '../../edge/src/mqtt/gate-links.js';
import type { HubApp } from '../../apps/hub/src/hub-app.js';
import { authedFetch, credentialedEdgeConfig, login } from '../support/hub-auth.js';
import { waitFor } from '../support/wait-for.js';
import { HubWatch, laneSite, RelayBoard, startLaneHub, storedDecisions, todayCounts, userToken } from './gate-rig.js';

// Station lanes check ID numbers: they start only with the hub's ID-number HMAC key.
process.env.CG_ID_HMAC_KEY ??= randomBytes(32).toString('base64');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PULSE_MS = 1000;
const GRACE_MS = 300;
const HELD_OPEN_MS = 1500;

/**
 * Door alarms from the real HTTP relay driver: the relay board is an HTTP server on 127.0.0.1 whose
 * status URL reports the door contact; the edge polls it, its door monitor raises door_forced /
 * door_held_open, the events reach the hub (aedes + SQLite) and become alerts on a security socket.
 */
test(
  'door alarms: a granted opening is quiet; forced and held-open doors become events and alerts to security',
  { timeout: 90_000 },
  async (t) => {
    const site = laneSite('station', 1);
    const board = new RelayBoard();
    await board.start();
    const hub: HubApp = await startLaneHub(site);
    let edge: EdgeApp | undefined;
    let security: HubWatch | undefined;
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const secToken = await userToken(hub.url, 'sec-ga', 'security', site.siteId);
      security = await HubWatch.open(hub.url, secToken, site.siteId);
      const cfg = site.edgeConfig(
        `mqtt://127.0.0.1:${hub.mqttPort}`,
        { g1: [{ id: 'l1', actuator: 'door1', timeouts: { resultMs: 300 } }] },
        [board.actuator('door1', { pulseMs: PULSE_MS, graceMs: GRACE_MS, heldOpenMs: HELD_OPEN_MS })],
      );
      edge = await startEdge(await credentialedEdgeConfig(hub.url, cfg), false);
      await waitFor(
        () => board.calls,
        (c) => c.includes('/relay/off'),
        10_000,
        'the driver locks the door at start',
      );
      // Commands are not queued for a gate that has not subscribed yet: let its link come up first.
      await waitFor(
        () => edge!.ctx.get(GateLinks).client('g1').connected,
        (c) => c,
        10_000,
        'gate link up',
      );
      await sleep(500);
      const alarmsAtHub = async () => (await storedDecisions(hub, site.siteId)).filter((d) => d.decision.method === 'none');
      const doorAlerts = (): Alert[] => security!.alerts.filter((a) => a.kind === 'door');

      await t.test('operator opens the lane: relay pulse over HTTP, the door opens and closes within the grant, no alarm', async () => {
        const res = await authedFetch(adminToken)(`${hub.url}/api/gate-control/open`, {
          method: 'POST',
          body: { siteId: site.siteId, gateId: 'g1', laneId: 'l1', reason: 'xe cứu thương' },
        });
        assert.equal(res.status, 202, await res.text());
        await waitFor(
          () => board.pulses,
          (n) => n === 1,
          10_000,
          'relay released',
        );
        board.doorOpen = true;
        await sleep(500);
        board.doorOpen = false;
        await waitFor(
          () => board.calls.at(-1),
          (c) => c === '/relay/off',
          5000,
          'relay locked again after the pulse',
        );
        const [open] = await waitFor(
          () => storedDecisions(hub, site.siteId),
          (l) => l.length >= 1,
          10_000,
          'operator open at the hub',
        );
        assert.equal(open!.decision.method, 'operator');
        assert.equal(open!.outcome, 'open');
        await sleep(HELD_OPEN_MS);
        assert.deepEqual(await alarmsAtHub(), []);
        assert.deepEqual(doorAlerts(), []);
      });

      await t.test('door opened with no grant → door_forced event at the hub and a high alert to security', async () => {
        await sleep(GRACE_MS);
        board.doorOpen = true;
        const [forced] = await waitFor(alarmsAtHub, (l) => l.length >= 1, 10_000, 'door_forced at the hub');
        assert.equal(forced!.outcome, 'deny');
        assert.deepEqual(forced!.decision.reasons, ['door_forced']);
        assert.equal(forced!.source, 'manual');
        assert.equal(forced!.gateId, 'g1');
        assert.equal(forced!.laneId, 'l1');
        const alert = await waitFor(
          () => doorAlerts().find((a) => a.eventId === forced!.eventId),
          (a) => a !== undefined,
          10_000,
          'door alert on the security socket',
        );
        assert.equal(alert!.reason, 'door_forced');
        assert.equal(alert!.severity, 'high');
        assert.equal(alert!.status, 'open');
        assert.deepEqual([alert!.entryId, alert!.listKind, alert!.matchKind, alert!.fullName], [null, null, null, null]);
      });

      await t.test('the same door left open past the limit → door_held_open event and alert, once', async () => {
        const held = await waitFor(alarmsAtHub, (l) => l.length >= 2, HELD_OPEN_MS + 10_000, 'door_held_open at the hub');
        assert.deepEqual(held[1]!.decision.reasons, ['door_held_open']);
        const alert = await waitFor(
          () => doorAlerts().find((a) => a.eventId === held[1]!.eventId),
          (a) => a !== undefined,
          10_000,
          'held-open alert',
        );
        assert.equal(alert!.severity, 'medium');
        await sleep(HELD_OPEN_MS + 500);
        board.doorOpen = false;
        await sleep(500);
        assert.equal((await alarmsAtHub()).length, 2, 'one alarm of each kind for one opening');
        assert.equal(doorAlerts().length, 2);
      });

      await t.test('security lists and acknowledges the door alerts; alarms are not counted as crossings', async () => {
        const list = (await (await authedFetch(secToken)(`${hub.url}/api/sites/${site.siteId}/alerts`)).json()) as Alert[];
        assert.deepEqual(list.map((a) => a.reason).sort(), ['door_forced', 'door_held_open']);
        const forced = list.find((a) => a.reason === 'door_forced')!;
        const ack = await authedFetch(secToken)(`${hub.url}/api/sites/${site.siteId}/alerts/${forced.alertId}/acknowledge`, {
          method: 'POST',
          body: { note: 'bảo vệ đã kiểm tra' },
        });
        assert.equal(ack.status, 200, await ack.clone().text());
        assert.equal(((await ack.json()) as Alert).acknowledgedBy, 'sec-ga');
        const c = await todayCounts(hub.url, adminToken, site.siteId);
        assert.deepEqual([c.gates.g1?.entries, c.site.entries], [1, 1], 'only the operator opening counts');
      });
    } finally {
      security?.close();
      await edge?.close();
      await hub.close();
      await board.stop();
    }
  },
);
