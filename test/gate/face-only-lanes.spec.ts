import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimulatedActuator } from '../../edge/src/actuators/simulated-actuator.js';
import { startEdge, type EdgeApp } from '../../edge/src/edge-app.js';
import { GateLanesService } from '../../edge/src/gate/gate-lanes.service.js';
import type { HubApp } from '../../apps/hub/src/hub-app.js';
import { credentialedEdgeConfig, login } from '../support/hub-auth.js';
import { waitFor } from '../support/wait-for.js';
import { enrol, HubWatch, laneSite, sharedFace, sharedFaceB64, startLaneHub, storedDecisions, todayCounts, userToken } from './gate-rig.js';

/** A face-only lane of gate `gateId`: the camera loops a still photo, a simulated relay. */
const faceLane = (gateId: string, person: string, n: number) => ({
  id: 'l1',
  camera: { id: `cam-${gateId}`, kind: 'file' as const, path: sharedFace(person, n) },
  actuator: `relay-${gateId}`,
  timeouts: { resultMs: 300 },
});
const relays = (...gateIds: string[]) => gateIds.map((g) => ({ id: `relay-${g}`, kind: 'simulator' as const, pulseMs: 400 }));
/** Longer than the lane's repeat window (15 s): the same person still in view must stay one decision. */
const STILL_IN_VIEW_MS = 17_000;

/**
 * Industrial zone, on real parts: the hub (aedes + SQLite) enrols a worker (allowlist) and a wanted
 * person (watchlist) from photos over its REST API, the lists reach the edge over MQTT, and three
 * lanes whose cameras loop OTHER photos of a worker (g1), a stranger (g2) and the wanted person (g3)
 * decide by face 1:N alone, with libs/face and simulated relays.
 */
test(
  'industrial lanes: enrolled worker OPENs by face alone (counted once while in view), stranger asked for a card, watchlisted face DENY + alert',
  { timeout: 180_000 },
  async (t) => {
    const site = laneSite('industrial', 3);
    const hub: HubApp = await startLaneHub(site);
    let edge: EdgeApp | undefined;
    const watches: HubWatch[] = [];
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const security = await userToken(hub.url, 'sec-kcn', 'security', site.siteId);
      const alerts = await HubWatch.open(hub.url, security, site.siteId);
      const console_ = await HubWatch.open(hub.url, adminToken, site.siteId);
      watches.push(alerts, console_);
      const cfg = site.edgeConfig(
        `mqtt://127.0.0.1:${hub.mqttPort}`,
        { g1: [faceLane('g1', 'df01', 2)], g2: [faceLane('g2', 'fr_kit_harington', 2)], g3: [faceLane('g3', 'df04', 2)] },
        relays('g1', 'g2', 'g3'),
      );
      edge = await startEdge(await credentialedEdgeConfig(hub.url, cfg), false);
      const lanes = edge.ctx.get(GateLanesService);
      const relay = (g: string) => lanes.actuator(`relay-${g}`) as SimulatedActuator;

      // Enrolled at the hub after the edge is up: the entries reach the lanes as MQTT deltas.
      const workerId = await enrol(hub.url, security, site.siteId, {
        listKind: 'allowlist',
        fullName: 'Phạm Văn Công',
        severity: 'low',
        reason: 'công nhân ca 1',
        photos: [sharedFaceB64('df01', 1)],
      });
      const wantedId = await enrol(hub.url, security, site.siteId, {
        listKind: 'watchlist',
        fullName: 'Đỗ Văn Truy',
        severity: 'high',
        reason: 'trộm cắp (test)',
        photos: [sharedFaceB64('df04', 1)],
      });
      await waitFor(
        () => lanes.synced!.size,
        (n) => n >= 2,
        20_000,
        'both entries synced to the edge',
      );
      const decisionsAt = async (gateId: string) => (await storedDecisions(hub, site.siteId)).filter((d) => d.gateId === gateId);
      let workerOpenedAt = 0;

      await t.test('enrolled worker in view → OPEN allowlist_face, relay pulse, stored with the decision, counted', async () => {
        const [d] = await waitFor(
          () => decisionsAt('g1'),
          (l) => l.length >= 1,
          40_000,
          'the worker decision at the hub',
        );
        workerOpenedAt = Date.now();
        assert.equal(d!.outcome, 'open', `reasons: ${d!.decision.reasons.join(',')}`);
        assert.equal(d!.source, 'face');
        assert.equal(d!.laneId, 'l1');
        assert.equal(d!.decision.method, 'allowlist_face');
        assert.equal(d!.decision.policy, 'industrial');
        assert.deepEqual(
          d!.decision.watchlist && {
            listKind: d!.decision.watchlist.listKind,
            entryId: d!.decision.watchlist.entryId,
            by: d!.decision.watchlist.by,
          },
          { listKind: 'allowlist', entryId: workerId, by: 'face' },
        );
        assert.ok(d!.decision.steps?.faceCapture !== undefined && d!.decision.steps.actuator !== undefined);
        assert.equal(relay('g1').pulses.length, 1);
        assert.equal(relay('g1').pulses[0]!.ms, 400);
        const counts = await waitFor(
          () => todayCounts(hub.url, adminToken, site.siteId),
          (c) => c.gates.g1?.entries === 1,
          10_000,
          'the worker counted',
        );
        assert.equal(counts.site.entries, 1);
      });

      await t.test('face not enrolled → no OPEN: lane state not_enrolled_present_card, no event, no pulse', async () => {
        await waitFor(
          () => console_.laneStates.filter((s) => s.gateId === 'g2').flatMap((s) => s.reasons ?? []),
          (r) => r.includes('not_enrolled_present_card'),
          30_000,
          'g2 asks the stranger for a card',
        );
        assert.deepEqual(await decisionsAt('g2'), []);
        assert.equal(relay('g2').pulses.length, 0);
      });

      await t.test('watchlisted face at the industrial lane → DENY watchlist_hit, alert to security, not counted', async () => {
        const [d] = await waitFor(
          () => decisionsAt('g3'),
          (l) => l.length >= 1,
          30_000,
          'the watchlisted decision at the hub',
        );
        assert.equal(d!.outcome, 'deny');
        assert.deepEqual(d!.decision.reasons, ['watchlist_hit']);
        assert.equal(d!.decision.watchlist?.listKind, 'watchlist');
        assert.equal(d!.decision.watchlist?.entryId, wantedId);
        assert.equal(d!.decision.watchlist?.by, 'face');
        assert.equal(relay('g3').pulses.length, 0);
        const alert = await waitFor(
          () => alerts.alerts.find((a) => a.eventId === d!.eventId),
          (a) => a !== undefined,
          20_000,
          'alert on the security socket',
        );
        assert.equal(alert!.kind, 'watchlist');
        assert.equal(alert!.entryId, wantedId);
        assert.equal(alert!.matchKind, 'face');
        assert.equal(alert!.gateId, 'g3');
        assert.equal(alert!.fullName, 'Đỗ Văn Truy');
        assert.equal((await todayCounts(hub.url, adminToken, site.siteId)).gates.g3?.entries, 0, 'a refusal is not a crossing');
      });

      await t.test('the same people still standing in view are not decided or counted again', async () => {
        await new Promise((r) => setTimeout(r, Math.max(0, workerOpenedAt + STILL_IN_VIEW_MS - Date.now())));
        assert.equal((await decisionsAt('g1')).length, 1, 'the worker decided once');
        assert.equal(relay('g1').pulses.length, 1);
        assert.equal((await decisionsAt('g3')).length, 1, 'the wanted person refused once, not once per look');
        assert.equal(alerts.alerts.length, 1, 'one alert');
        assert.deepEqual(await decisionsAt('g2'), []);
        const c = await todayCounts(hub.url, adminToken, site.siteId);
        assert.deepEqual([c.gates.g1?.entries, c.gates.g2?.entries, c.gates.g3?.entries, c.site.entries], [1, 0, 0, 1]);
      });
    } finally {
      watches.forEach((w) => w.close());
      await edge?.close();
      await hub.close();
    }
  },
);

/**
 * Tourist site: lanes without a reader count everyone who comes into view (count_only) and refuse
 * only a face on the watchlist, which raises an alert at the hub.
 */
test(
  'tourist lanes without a reader: count_only decisions in the headcount, watchlisted face DENY + alert',
  { timeout: 120_000 },
  async (t) => {
    const site = laneSite('tourist', 2);
    const hub: HubApp = await startLaneHub(site);
    let edge: EdgeApp | undefined;
    let alerts: HubWatch | undefined;
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const security = await userToken(hub.url, 'sec-trang-an', 'security', site.siteId);
      alerts = await HubWatch.open(hub.url, security, site.siteId);
      // Listed before the edge starts: a tourist lane counts any face it does not know.
      const wantedId = await enrol(hub.url, security, site.siteId, {
        listKind: 'watchlist',
        fullName: 'Đỗ Văn Truy',
        severity: 'critical',
        reason: 'truy nã (test)',
        photos: [sharedFaceB64('df04', 1)],
      });
      const cfg = site.edgeConfig(
        `mqtt://127.0.0.1:${hub.mqttPort}`,
        { g1: [faceLane('g1', 'df01', 2)], g2: [faceLane('g2', 'df04', 2)] },
        relays('g1', 'g2'),
      );
      edge = await startEdge(await credentialedEdgeConfig(hub.url, cfg), false);
      const lanes = edge.ctx.get(GateLanesService);
      const decisionsAt = async (gateId: string) => (await storedDecisions(hub, site.siteId)).filter((d) => d.gateId === gateId);

      await t.test('a visitor in view → OPEN count_only, turnstile pulse, counted at the hub', async () => {
        const [d] = await waitFor(
          () => decisionsAt('g1'),
          (l) => l.length >= 1,
          40_000,
          'the visitor decision at the hub',
        );
        assert.equal(d!.outcome, 'open', `reasons: ${d!.decision.reasons.join(',')}`);
        assert.equal(d!.decision.method, 'count_only');
        assert.equal(d!.decision.policy, 'tourist');
        assert.equal(d!.source, 'camera');
        assert.equal(d!.decision.watchlist, undefined);
        assert.equal((lanes.actuator('relay-g1') as SimulatedActuator).pulses.length, 1);
        await waitFor(
          () => todayCounts(hub.url, adminToken, site.siteId),
          (c) => c.gates.g1?.entries === 1 && c.site.entries === 1,
          10_000,
          'the visitor counted',
        );
      });

      await t.test('watchlisted face at the tourist lane → DENY watchlist_hit and an alert, not counted', async () => {
        const [d] = await waitFor(
          () => decisionsAt('g2'),
          (l) => l.length >= 1,
          30_000,
          'the watchlisted decision',
        );
        assert.equal(d!.outcome, 'deny');
        assert.deepEqual(d!.decision.reasons, ['watchlist_hit']);
        assert.equal(d!.decision.method, 'count_only');
        assert.equal(d!.decision.watchlist?.entryId, wantedId);
        assert.equal((lanes.actuator('relay-g2') as SimulatedActuator).pulses.length, 0);
        const alert = await waitFor(
          () => alerts!.alerts.find((a) => a.eventId === d!.eventId),
          (a) => a !== undefined,
          20_000,
          'alert on the security socket',
        );
        assert.equal(alert!.severity, 'critical');
        assert.equal(alert!.gateId, 'g2');
        const c = await todayCounts(hub.url, adminToken, site.siteId);
        assert.deepEqual([c.gates.g1?.entries, c.gates.g2?.entries], [1, 0]);
      });
    } finally {
      alerts?.close();
      await edge?.close();
      await hub.close();
    }
  },
);
