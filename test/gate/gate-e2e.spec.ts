import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { chromium, type Browser } from 'playwright-core';
import { hubConfigFromEnv } from '../../apps/hub/src/config/hub-config.js';
import { startHub, type HubApp } from '../../apps/hub/src/hub-app.js';
import type { Decision } from '../../libs/contracts/src/index.js';
import { SimulatedActuator } from '../../edge/src/actuators/simulated-actuator.js';
import { EdgeConfigSchema } from '../../edge/src/config/edge-config.schema.js';
import { startEdge, type EdgeApp } from '../../edge/src/edge-app.js';
import { GateLanesService } from '../../edge/src/gate/gate-lanes.service.js';
import { authedFetch, credentialedEdgeConfig, login, TEST_ADMIN_CONFIG } from '../support/hub-auth.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';
import { CardRig, cardQr, sharedFace } from './gate-rig.js';

interface Row {
  event_id: string;
  lane_id: string;
  source: string;
  decision_outcome: string | null;
  decision_json: string | null;
}

/**
 * One station lane end to end: a CCCD emulated on pcscd's virtual reader, the lane camera a file
 * showing df01, libs/face, a simulated relay, the hub (aedes + SQLite) receiving every decision.
 */
test(
  'gate lane end to end: OPEN/DENY on real chip + face, anti-passback and override, card pulled, hub down',
  { timeout: 240_000 },
  async (t) => {
    // The hub and the edge share the ID-number HMAC key, so a synced watchlist entry matches at the lane.
    const idHmacKey = randomBytes(32).toString('base64');
    process.env.CG_ID_HMAC_KEY = idHmacKey;
    const site = testSite('gate');
    const cards = new CardRig();
    await cards.start(site.dir);
    const hubCfg = (mqttPort = 0) =>
      hubConfigFromEnv(
        {},
        {
          port: 0,
          embeddedMqttPort: mqttPort,
          embeddedMqttHost: '127.0.0.1',
          sitesFile: site.sitesFile,
          sqlitePath: `${site.dir}/hub.db`,
          idHmacKey,
          dataKeyFile: `${site.dir}/keys.json`,
          jwtSecretFile: `${site.dir}/jwt.key`,
          ...TEST_ADMIN_CONFIG,
        },
      );
    let hub: HubApp | undefined = await startHub(hubCfg(), false);
    const mqttPort = hub.mqttPort;
    let edge: EdgeApp | undefined;
    let browser: Browser | undefined;
    let page: import('playwright-core').Page | undefined;
    const pageErrors: string[] = [];
    try {
      const base = site.edgeConfig(`mqtt://127.0.0.1:${mqttPort}`);
      const cfg = EdgeConfigSchema.parse({
        ...base,
        zones: base.zones.map((z) => ({ ...z, antiPassback: z.id === 'sanh-a' })),
        gates: base.gates.map((g) =>
          g.id === 'g1'
            ? {
                ...g,
                lanes: [
                  {
                    id: 'l1',
                    policy: { livenessCheck: 'passive' },
                    reader: '/^Virtual PCD 00 00/',
                    camera: { id: 'cam-l1', kind: 'file', path: sharedFace('df01', 2) },
                    actuator: 'relay1',
                    timeouts: { resultMs: 300, chipReadMs: 8000 },
                  },
                ],
              }
            : g,
        ),
        actuators: [{ id: 'relay1', kind: 'simulator', pulseMs: 400 }],
        gate: { cscaPaths: [cards.cscaFile] },
      });
      edge = await startEdge(await credentialedEdgeConfig(hub.url, cfg), false);
      const lanes = edge.ctx.get(GateLanesService);
      const lane = lanes.lane('g1', 'l1')!;
      const relay = lanes.actuator('relay1') as SimulatedActuator;
      const db = () => new Database(`${site.dir}/hub.db`, { readonly: true });
      const rows = (): Row[] => {
        const d = db();
        try {
          return d
            .prepare(
              `SELECT event_id, lane_id, source, decision_outcome, decision_json FROM gate_events WHERE site_id = ? ORDER BY event_id`,
            )
            .all(site.siteId) as Row[];
        } finally {
          d.close();
        }
      };
      const decisionOf = (r: Row) => JSON.parse(r.decision_json!) as Decision;
      const backToIdle = () =>
        waitFor(
          () => lane.phase,
          (p) => p === 'idle',
          15_000,
          'lane idle',
        );
      let produced = 0;
      const decided = async () => {
        produced++;
        await lane.idle;
        await backToIdle();
      };

      const alice = await cards.card('079203012345', sharedFace('df01', 1));
      const bob = await cards.card('001099004321', sharedFace('df03', 1), 'Trần Văn Bình');

      await t.test('matching person → OPEN and a relay pulse', async () => {
        lane.qrScanned(cardQr(alice));
        await cards.insert(alice);
        await waitFor(
          () => rows().length,
          (n) => n >= 1,
          30_000,
          'first decision at the hub',
        );
        await decided();
        const d = decisionOf(rows()[0]!);
        assert.equal(d.outcome, 'open', `reasons: ${d.reasons.join(',')}`);
        // With the default ArcFace-style 512-d embedder and its calibrated 1:1 card threshold.
        assert.equal((lanes as unknown as { faces: { embedderId: string } }).faces.embedderId, 'face-embedder-arcface');
        assert.equal(relay.pulses.length, 1);
        assert.equal(relay.pulses[0]!.ms, 400);
        assert.ok(
          d.steps?.chipAccess &&
            d.steps.dgRead &&
            d.steps.faceCapture !== undefined &&
            d.steps.faceMatch !== undefined &&
            d.steps.actuator !== undefined,
        );
        await cards.remove();
      });

      await t.test('different person (chip photo of someone else) → DENY face_mismatch, no pulse', async () => {
        lane.canEntered(bob.can);
        await cards.insert(bob);
        await waitFor(
          () => rows().length,
          (n) => n >= 2,
          30_000,
          'second decision',
        );
        await decided();
        const d = decisionOf(rows()[1]!);
        assert.equal(d.outcome, 'deny');
        assert.deepEqual(d.reasons, ['face_mismatch']);
        assert.equal(relay.pulses.length, 1);
        await cards.remove();
      });

      await t.test('anti-passback: the same person again → DENY; operator override → OPEN, audited', async () => {
        lane.qrScanned(cardQr(alice));
        await cards.insert(alice);
        await waitFor(
          () => rows().length,
          (n) => n >= 3,
          30_000,
          'third decision',
        );
        await decided();
        assert.deepEqual(decisionOf(rows()[2]!).reasons, ['anti_passback']);
        await cards.remove();
        const { accessToken } = await login(hub!.url);
        const res = await authedFetch(accessToken)(`${hub!.url}/api/gate-control/open`, {
          method: 'POST',
          body: { siteId: site.siteId, gateId: 'g1', laneId: 'l1', reason: 'khách quay lại lấy hành lý' },
        });
        assert.equal(res.status, 202, await res.text());
        await waitFor(
          () => rows().length,
          (n) => n >= 4,
          15_000,
          'override decision',
        );
        produced++;
        const o = decisionOf(rows()[3]!);
        assert.equal(o.outcome, 'open');
        assert.equal(o.override?.by, 'admin');
        assert.equal(rows()[3]!.source, 'manual');
        assert.equal(relay.pulses.length, 2);
        const audit = (await (await authedFetch(accessToken)(`${hub!.url}/api/audit?siteId=${site.siteId}&action=gate.open`)).json()) as {
          actor: string;
        }[];
        assert.equal(audit[0]?.actor, 'admin');
        await backToIdle();
      });

      await t.test(
        'REVIEW in Chromium: an operator signs in to the console, sees both faces, approves → gate opens, audit names the operator',
        async () => {
          const { accessToken } = await login(hub!.url);
          const created = await authedFetch(accessToken)(`${hub!.url}/api/users`, {
            method: 'POST',
            body: {
              username: 'op-lan',
              password: 'operator-pass-123',
              role: 'operator',
              siteIds: [site.siteId],
              mustChangePassword: false,
            },
          });
          assert.equal(created.status, 201, await created.text());
          browser = await chromium.launch({
            executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
            args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
          });
          page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
          page.on('pageerror', (e) => pageErrors.push(e.message));
          await page.goto(`${hub!.url}/console.html?site=${site.siteId}`);
          await page.locator('#login-user').fill('op-lan');
          await page.locator('#login-pass').fill('operator-pass-123');
          await page.locator('#login-submit').click();
          await page.locator('#conn.on').waitFor({ timeout: 15_000 });
          const pulses = relay.pulses.length;
          // A VNeID QR carries no photo: the lane asks an operator to compare the live face.
          lane.qrScanned(cardQr(bob), 'vneid');
          const card = page.locator('[data-testid=decision].p-awaiting_review');
          await card.waitFor({ timeout: 20_000 });
          await page.locator('[data-testid=decision].p-awaiting_review img.live[src^="data:image/jpeg"]').waitFor({ timeout: 10_000 });
          assert.match(
            (await card.locator('[data-testid=card-fields] .f-id').textContent()) ?? '',
            /\*{9}321/,
            'an operator sees the ID number masked',
          );
          assert.equal(
            await card.locator('.reasons').textContent(),
            'QR VNeID: nhân viên đối chiếu khuôn mặt',
            "the reason in the operator's language, not a code",
          );
          await card.locator('.reason').fill('khớp ảnh VNeID');
          await card.locator('.approve').click();
          await waitFor(
            () => lane.phase,
            (p) => p === 'open' || p === 'idle',
            15_000,
            'lane opened',
          );
          await decided();
          assert.equal(relay.pulses.length, pulses + 1, 'the approval pulsed the relay');
          await waitFor(
            () => rows().length,
            (n) => n >= produced,
            15_000,
            'review decision at the hub',
          );
          const d = decisionOf(rows().at(-1)!);
          assert.equal(d.outcome, 'open');
          assert.deepEqual(d.reasons, ['qr_needs_operator', 'operator_approved']);
          assert.equal(d.review?.by, 'op-lan');
          const audit = (await (
            await authedFetch(accessToken)(`${hub!.url}/api/audit?siteId=${site.siteId}&action=gate.review.approve`)
          ).json()) as { actor: string; subjectId: string }[];
          assert.equal(audit[0]?.actor, 'op-lan');
          assert.equal(audit[0]?.subjectId, d.decisionId);
          await page.locator('#lang').click();
          assert.equal(await page.locator('h1').textContent(), 'Gate operator console');
        },
      );

      await t.test(
        'watchlisted person (entered at the hub, synced to the edge) → DENY watchlist_hit, banner on the console, alert at the hub',
        async () => {
          const carol = await cards.card('038185007777', sharedFace('df01', 1), 'Lê Thị Cúc');
          const { accessToken } = await login(hub!.url);
          const created = await authedFetch(accessToken)(`${hub!.url}/api/sites/${site.siteId}/watchlist`, {
            method: 'POST',
            body: { fullName: 'Lê Thị Cúc', idNumber: carol.idNumber, reason: 'truy nã (test)', severity: 'critical' },
          });
          assert.equal(created.status, 201, await created.text());
          await waitFor(
            () => lanes.synced!.size,
            (n) => n >= 1,
            20_000,
            'watchlist entry synced to the edge',
          );
          lane.canEntered(carol.can);
          await cards.insert(carol);
          await page!.locator('#banner:not([hidden])').waitFor({ timeout: 30_000 });
          await decided();
          await waitFor(
            () => rows().length,
            (n) => n >= produced,
            15_000,
            'watchlist decision at the hub',
          );
          const d = decisionOf(rows().at(-1)!);
          assert.deepEqual(d.reasons, ['watchlist_hit']);
          assert.equal(d.watchlist?.by, 'id_number');
          assert.equal(d.watchlist?.severity, 'critical');
          const alerts = await waitFor(
            async () =>
              (await (await authedFetch(accessToken)(`${hub!.url}/api/sites/${site.siteId}/alerts`)).json()) as
                { items?: { eventId: string }[] } | { eventId: string }[],
            (a) => (Array.isArray(a) ? a : (a.items ?? [])).some((x) => x.eventId === rows().at(-1)!.event_id),
            20_000,
            'alert raised by the hub for the refused entrant',
          );
          assert.ok(alerts);
          mkdirSync('test/artifacts', { recursive: true });
          await page!.screenshot({ path: 'test/artifacts/gate-console.png' });
          assert.deepEqual(pageErrors, []);
          await cards.remove();
        },
      );

      await t.test('CAN typed in the console, then the card pulled mid-read → DENY card_removed, lane back to idle', async () => {
        // No QR this time: the card waits on the reader until the operator types its CAN in the console.
        await cards.insert(bob, { pullAfterApdus: 12 });
        await waitFor(
          () => lane.phase,
          (p) => p === 'reading_card',
          15_000,
          'card waiting for its CAN',
        );
        await page!.locator('[data-testid=decision] .can').fill(bob.can);
        await page!.locator('[data-testid=decision] .send-can').click();
        await waitFor(
          () => rows().length,
          (n) => n >= produced + 1,
          30_000,
          'pulled-card decision',
        );
        await decided();
        const d = decisionOf(rows().at(-1)!);
        assert.equal(d.outcome, 'deny');
        assert.ok(['card_removed', 'chip_timeout'].includes(d.reasons[0]!), `reason ${d.reasons[0]}`);
        assert.equal(lane.phase, 'idle');
      });

      await t.test('hub down: decisions keep coming from local caches, all arrive once and in order afterwards', async () => {
        await hub!.close();
        hub = undefined;
        await waitFor(
          () => lane['d'].sink.online(),
          (up) => !up,
          10_000,
          'edge sees the link down',
        );
        const before = rows().length;
        for (const [i, card] of [bob, bob].entries()) {
          lane.canEntered(card.can);
          await cards.insert(card);
          await waitFor(
            () => edge!.outbox.depth(),
            (d) => d === i + 1,
            30_000,
            'decision queued while the hub is down',
          );
          await decided();
          await cards.remove();
        }
        assert.equal(edge!.outbox.depth(), 2, 'both decisions wait in the outbox');
        hub = await startHub(hubCfg(mqttPort), false);
        await waitFor(
          () => edge!.outbox.depth(),
          (d) => d === 0,
          30_000,
          'outbox drained',
        );
        await waitFor(
          () => rows().length,
          (n) => n >= before + 2,
          15_000,
          'offline decisions stored',
        );
        const all = rows();
        assert.equal(all.length, produced, 'every decision exactly once');
        assert.equal(new Set(all.map((r) => r.event_id)).size, all.length);
        const offline = all.slice(before).map(decisionOf);
        assert.ok(offline.every((d) => d.offline === true && d.reasons[0] === 'face_mismatch'));
      });

      await t.test('headcounts: only OPEN decisions count as entries', async () => {
        const { accessToken } = await login(hub!.url);
        const from = new Date(Date.now() - 3600_000).toISOString();
        const to = new Date(Date.now() + 60_000).toISOString();
        const counts = (await (
          await authedFetch(accessToken)(`${hub!.url}/api/counts?siteId=${site.siteId}&from=${from}&to=${to}&bucket=1h`)
        ).json()) as { totals: { entries: number } };
        assert.equal(counts.totals.entries, rows().filter((r) => r.decision_outcome === 'open').length);
      });
    } finally {
      await browser?.close();
      await edge?.close();
      await hub?.close();
      await cards.stop();
    }
  },
);
