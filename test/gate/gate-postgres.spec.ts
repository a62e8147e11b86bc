import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import type { Alert } from '../../libs/contracts/src/index.js';
import { startEdge, type EdgeApp } from '../../edge/src/edge-app.js';
import { GateLanesService } from '../../edge/src/gate/gate-lanes.service.js';
import type { HubApp } from '../../apps/hub/src/hub-app.js';
import { login } from '../support/hub-auth.js';
import { PrivateMosquitto } from '../support/mosquitto.js';
import { createTestDatabase } from '../support/postgres.js';
import { waitFor } from '../support/wait-for.js';
import {
  enrol,
  HubWatch,
  laneSite,
  RelayBoard,
  sharedFace,
  sharedFaceB64,
  startLaneHub,
  storedDecisions,
  todayCounts,
  userToken,
} from './gate-rig.js';

/**
 * The gate's hub side on PostgreSQL (lane-decision columns of migration 1764300000000, door alerts of
 * 1764350000000) with a private Mosquitto between edge and hub: an enrolled worker's face opens the
 * HTTP relay, a watchlisted face is refused and alerted, a forced door is alerted; the stored
 * decision columns (JSONB + outcome) and the headcount are checked in the database.
 */
test(
  'gate on PostgreSQL + Mosquitto: allowlist OPEN, watchlist DENY + alert, door forced alert; decision columns stored',
  { timeout: 150_000 },
  async (t) => {
    const pg = await createTestDatabase();
    const mosq = new PrivateMosquitto({ anonymous: true }); // about decisions on PostgreSQL, not broker security
    await mosq.start();
    const board = new RelayBoard();
    await board.start();
    const site = laneSite('industrial', 2);
    let hub: HubApp | undefined;
    let edge: EdgeApp | undefined;
    let security: HubWatch | undefined;
    try {
      hub = await startLaneHub(site, { databaseUrl: pg.url, mqttUrl: mosq.url });
      const h = hub;
      assert.equal(h.app.get(DataSource).options.type, 'postgres');
      const adminToken = (await login(h.url)).accessToken;
      const secToken = await userToken(h.url, 'sec-pg', 'security', site.siteId);
      security = await HubWatch.open(h.url, secToken, site.siteId);
      const workerId = await enrol(h.url, secToken, site.siteId, {
        listKind: 'allowlist',
        fullName: 'Phạm Văn Công',
        severity: 'low',
        photos: [sharedFaceB64('df01', 1)],
      });
      const wantedId = await enrol(h.url, secToken, site.siteId, {
        listKind: 'watchlist',
        fullName: 'Đỗ Văn Truy',
        severity: 'high',
        photos: [sharedFaceB64('df04', 1)],
      });
      // Mosquitto here is the deployment's anonymous config: the gates need no issued login.
      const cfg = site.edgeConfig(
        mosq.url,
        {
          g1: [
            {
              id: 'l1',
              camera: { id: 'cam-g1', kind: 'file', path: sharedFace('df01', 2) },
              actuator: 'door1',
              timeouts: { resultMs: 300 },
            },
          ],
          g2: [{ id: 'l1', camera: { id: 'cam-g2', kind: 'file', path: sharedFace('df04', 2) }, timeouts: { resultMs: 300 } }],
        },
        [board.actuator('door1', { pulseMs: 600, graceMs: 200, heldOpenMs: 60_000 })],
      );
      edge = await startEdge(cfg, false);
      await waitFor(
        () => edge!.ctx.get(GateLanesService).synced!.size,
        (n) => n >= 2,
        20_000,
        'lists synced over Mosquitto',
      );
      const decisionsAt = async (gateId: string) => (await storedDecisions(h, site.siteId)).filter((d) => d.gateId === gateId);

      await t.test('worker → OPEN over the HTTP relay; decision_json is JSONB, decision_outcome set, counted', async () => {
        const [d] = await waitFor(
          () => decisionsAt('g1'),
          (l) => l.length >= 1,
          40_000,
          'worker decision stored',
        );
        assert.equal(d!.outcome, 'open', `reasons: ${d!.decision.reasons.join(',')}`);
        assert.equal(d!.decision.method, 'allowlist_face');
        assert.equal(d!.decision.watchlist?.entryId, workerId);
        assert.equal(board.pulses, 1);
        const [col]: { t: string; outcome: string; method: string; entry: string }[] = await h.app
          .get(DataSource)
          .query(
            `SELECT pg_typeof(decision_json)::text AS t, decision_outcome AS outcome, decision_json->>'method' AS method, decision_json->'watchlist'->>'entryId' AS entry FROM gate_events WHERE event_id = $1`,
            [d!.eventId],
          );
        assert.deepEqual(col, { t: 'jsonb', outcome: 'open', method: 'allowlist_face', entry: workerId });
        await waitFor(
          () => todayCounts(h.url, adminToken, site.siteId),
          (c) => c.gates.g1?.entries === 1,
          10_000,
          'worker counted',
        );
      });

      await t.test('watchlisted face → DENY stored with its outcome, alert on the security socket, not counted', async () => {
        const [d] = await waitFor(
          () => decisionsAt('g2'),
          (l) => l.length >= 1,
          30_000,
          'watchlist decision stored',
        );
        assert.equal(d!.outcome, 'deny');
        assert.deepEqual(d!.decision.reasons, ['watchlist_hit']);
        const alert = await waitFor(
          () => security!.alerts.find((a) => a.eventId === d!.eventId),
          (a) => a !== undefined,
          20_000,
          'watchlist alert',
        );
        assert.equal(alert!.entryId, wantedId);
        const denied: { n: string }[] = await h.app
          .get(DataSource)
          .query(`SELECT count(*) AS n FROM gate_events WHERE site_id = $1 AND decision_outcome = 'deny'`, [site.siteId]);
        assert.equal(Number(denied[0]!.n), 1);
        const c = await todayCounts(h.url, adminToken, site.siteId);
        assert.deepEqual([c.gates.g1?.entries, c.gates.g2?.entries, c.site.entries], [1, 0, 1]);
      });

      await t.test('door forced at g1 → door alert stored on PostgreSQL (no entry, match or name)', async () => {
        // The worker's grant (and its grace) must be over, or the door opening is that grant's.
        await waitFor(
          () => board.calls.at(-1),
          (c) => c === '/relay/off',
          5000,
          'relay locked after the worker',
        );
        await new Promise((r) => setTimeout(r, 400));
        board.doorOpen = true;
        const [forced] = await waitFor(
          async () => (await decisionsAt('g1')).filter((d) => d.decision.method === 'none'),
          (l) => l.length >= 1,
          15_000,
          'door_forced stored',
        );
        assert.deepEqual([forced!.outcome, forced!.decision.reasons], ['deny', ['door_forced']]);
        const alert = await waitFor(
          () => security!.alerts.find((a) => a.kind === 'door'),
          (a) => a !== undefined,
          15_000,
          'door alert',
        );
        board.doorOpen = false;
        assert.equal(alert!.reason, 'door_forced');
        const [row]: { kind: string; entry_id: string | null; score: number | null; full_name_enc: string | null }[] = await h.app
          .get(DataSource)
          .query(`SELECT kind, entry_id, score, full_name_enc FROM alerts WHERE id = $1`, [alert!.alertId]);
        assert.deepEqual(row, { kind: 'door', entry_id: null, score: null, full_name_enc: null });
        const all = (await (
          await fetch(`${h.url}/api/sites/${site.siteId}/alerts`, { headers: { authorization: `Bearer ${secToken}` } })
        ).json()) as Alert[];
        assert.deepEqual(all.map((a) => a.kind).sort(), ['door', 'watchlist']);
      });
    } finally {
      security?.close();
      await edge?.close();
      await hub?.close();
      await board.stop();
      await mosq.stop();
      await pg.drop();
    }
  },
);
