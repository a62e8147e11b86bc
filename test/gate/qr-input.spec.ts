import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { hubConfigFromEnv } from '../../apps/hub/src/config/hub-config.js';
import { startHub, type HubApp } from '../../apps/hub/src/hub-app.js';
import type { Decision } from '../../libs/contracts/src/index.js';
import { SimulatedActuator } from '../../edge/src/actuators/simulated-actuator.js';
import { EdgeConfigSchema } from '../../edge/src/config/edge-config.schema.js';
import { startEdge, type EdgeApp } from '../../edge/src/edge-app.js';
import { GateLanesService } from '../../edge/src/gate/gate-lanes.service.js';
import { credentialedEdgeConfig, TEST_ADMIN, TEST_ADMIN_CONFIG } from '../support/hub-auth.js';
import { PtyPair } from '../support/pty-pair.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';
import { CardRig, cardQr, sharedFace } from './gate-rig.js';

interface Row {
  event_id: string;
  decision_json: string | null;
}

/**
 * The lane's QR input end to end: a 2D scanner on a serial link (socat pty pair) sends the CCCD's
 * printed QR, the emulated card goes on pcscd's virtual reader, and the edge lane reads the chip
 * with the CAN taken from that QR (nobody types it), matches the face and opens. The same scanner
 * with no card following → a VNeID cycle that only an operator could open.
 */
test(
  'QR over a serial scanner → the lane reads the chip with the CAN from the QR; no card → VNeID review',
  { timeout: 240_000 },
  async (t) => {
    const idHmacKey = randomBytes(32).toString('base64');
    process.env.CG_ID_HMAC_KEY = idHmacKey;
    const site = testSite('qr');
    const pty = new PtyPair(join(site.dir, 'scanner'), join(site.dir, 'ttyACM-qr'));
    const cards = new CardRig();
    let hub: HubApp | undefined;
    let edge: EdgeApp | undefined;
    try {
      await pty.plug();
      await cards.start(site.dir);
      hub = await startHub(
        hubConfigFromEnv(
          {},
          {
            port: 0,
            embeddedMqttPort: 0,
            embeddedMqttHost: '127.0.0.1',
            sitesFile: site.sitesFile,
            sqlitePath: `${site.dir}/hub.db`,
            idHmacKey,
            dataKeyFile: `${site.dir}/keys.json`,
            jwtSecretFile: `${site.dir}/jwt.key`,
            ...TEST_ADMIN_CONFIG,
          },
        ),
        false,
      );
      const base = site.edgeConfig(`mqtt://127.0.0.1:${hub.mqttPort}`);
      const cfg = EdgeConfigSchema.parse({
        ...base,
        gates: base.gates.map((g) =>
          g.id === 'g1'
            ? {
                ...g,
                lanes: [
                  {
                    id: 'l1',
                    policy: { livenessCheck: 'passive' }, // the camera loops a still photo, which never blinks
                    reader: '/^Virtual PCD 00 00/',
                    camera: { id: 'cam-l1', kind: 'file', path: sharedFace('df01', 2) },
                    actuator: 'relay1',
                    qr: [{ kind: 'serial', path: pty.host, baudRate: 115200, terminator: 'CRLF' }],
                    // pcscd polls the virtual reader: give the card a few seconds to show up after its QR.
                    timeouts: { resultMs: 300, chipReadMs: 8000, qrCardGraceMs: 6000, reviewMs: 1500 },
                  },
                ],
              }
            : g,
        ),
        actuators: [{ id: 'relay1', kind: 'simulator', pulseMs: 300 }],
        gate: { cscaPaths: [cards.cscaFile] },
      });
      edge = await startEdge(await credentialedEdgeConfig(hub.url, cfg), false);
      const lanes = edge.ctx.get(GateLanesService);
      const lane = lanes.lane('g1', 'l1')!;
      const relay = lanes.actuator('relay1') as SimulatedActuator;
      const rows = (): Row[] => {
        const d = new Database(`${site.dir}/hub.db`, { readonly: true });
        try {
          return d.prepare(`SELECT event_id, decision_json FROM gate_events WHERE site_id = ? ORDER BY event_id`).all(site.siteId) as Row[];
        } finally {
          d.close();
        }
      };
      const decisions = () => rows().map((r) => JSON.parse(r.decision_json!) as Decision);
      const backToIdle = () =>
        waitFor(
          () => lane.phase,
          (p) => p === 'idle',
          20_000,
          'lane idle',
        );
      await waitFor(
        () => lanes.qrHealth()['g1/l1']?.[0]?.connected,
        (c) => c === true,
        10_000,
        'serial scanner connected',
      );

      const alice = await cards.card('079203012345', sharedFace('df01', 1));
      const bob = await cards.card('001099004321', sharedFace('df03', 1), 'Trần Văn Bình');

      await t.test("card QR scanned, then the card placed → chip read with the QR's CAN → OPEN", async () => {
        pty.send(`${cardQr(alice)}\r\n`);
        await waitFor(
          () => lanes.qrHealth()['g1/l1']![0]!.scans,
          (n) => n === 1,
          5000,
          'scan received',
        );
        await cards.insert(alice);
        await waitFor(
          () => rows().length,
          (n) => n >= 1,
          40_000,
          'decision at the hub',
        );
        await lane.idle;
        const d = decisions()[0]!;
        assert.equal(d.method, 'chip_face');
        assert.equal(d.outcome, 'open', `reasons: ${d.reasons.join(',')}`);
        assert.ok(d.steps?.chipAccess, 'the chip was opened (PACE with the CAN from the QR)');
        assert.equal(relay.pulses.length, 1);
        await backToIdle();
        await cards.remove();
      });

      await t.test('card already on the reader waiting for its CAN, then its QR scanned → read and decided', async () => {
        await cards.insert(bob);
        await waitFor(
          () => lane.phase,
          (p) => p === 'reading_card',
          20_000,
          'card waiting for its CAN',
        );
        pty.send(`${cardQr(bob)}\r\n`);
        await waitFor(
          () => rows().length,
          (n) => n >= 2,
          40_000,
          'second decision',
        );
        await lane.idle;
        const d = decisions()[1]!;
        assert.equal(d.method, 'chip_face');
        assert.deepEqual(d.reasons, ['face_mismatch'], "bob's chip photo is not the person in front of the camera");
        assert.ok(d.steps?.chipAccess);
        await backToIdle();
        await cards.remove();
      });

      await t.test('a QR with no card following (VNeID at a station lane) → qr_face REVIEW, never opened without an operator', async () => {
        const pulses = relay.pulses.length;
        pty.send(Buffer.from([0xff, 0xfe, 0x0d, 0x0a])); // line noise first: dropped, the lane says so
        pty.send(`${cardQr(alice).replace('Nguyễn', 'Nguyên')}\r\n`);
        await waitFor(
          () => lane.phase,
          (p) => p === 'awaiting_review',
          20_000,
          'VNeID cycle awaiting an operator',
        );
        await waitFor(
          () => rows().length,
          (n) => n >= 3,
          30_000,
          'VNeID decision',
        );
        await lane.idle;
        const d = decisions()[2]!;
        assert.equal(d.method, 'qr_face');
        assert.deepEqual(d.reasons, ['qr_needs_operator', 'review_timeout']);
        assert.equal(relay.pulses.length, pulses);
        const h = lanes.qrHealth()['g1/l1']![0]!;
        assert.equal(h.scans, 3);
        assert.equal(h.dropped, 1);
        assert.match(h.lastError ?? '', /not UTF-8/);
      });

      await t.test(
        "the lane's scanner and card reader ride on the gate status: the hub's cg_lane_device_up follows an unplug",
        async () => {
          const up = async (kind: string) => {
            const text = await (await fetch(`${hub!.url}/metrics`)).text();
            const line = text
              .split('\n')
              .find((l) => l.startsWith('cg_lane_device_up{') && l.includes(`kind="${kind}"`) && l.includes('lane="l1"'));
            return line === undefined ? undefined : Number(line.split(' ').pop());
          };
          await waitFor(
            () => up('qr_serial'),
            (v) => v === 1,
            10_000,
            'serial scanner up at the hub',
          );
          await waitFor(
            () => up('card_reader'),
            (v) => v === 1,
            10_000,
            'card reader up at the hub',
          );
          // The operator console shows it too: the lane card says which device is down, in Vietnamese.
          const browser = await chromium.launch({
            executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
            args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
          });
          try {
            const page = await browser.newPage();
            await page.goto(`${hub!.url}/console.html?site=${site.siteId}`);
            await page.locator('#login-user').fill(TEST_ADMIN.username);
            await page.locator('#login-pass').fill(TEST_ADMIN.password);
            await page.locator('#login-submit').click();
            await page.locator('#conn.on').waitFor({ timeout: 15_000 });
            await page.locator('[data-testid=decision]').first().waitFor({ timeout: 15_000 });
            assert.equal(await page.locator('[data-testid=decision] .devices').isHidden(), true, 'nothing shown while every device is up');
            await pty.unplug();
            await waitFor(
              () => up('qr_serial'),
              (v) => v === 0,
              15_000,
              'scanner unplugged seen at the hub',
            );
            assert.equal(await up('card_reader'), 1, 'the reader is still there');
            await page.locator('[data-testid=decision] .devices:not([hidden])').waitFor({ timeout: 15_000 });
            assert.equal(await page.locator('[data-testid=decision] .devices').textContent(), `Máy quét QR ${pty.host}: mất kết nối`);
            await pty.plug();
            await page.locator('[data-testid=decision] .devices[hidden]').waitFor({ state: 'attached', timeout: 15_000 });
          } finally {
            await browser.close();
          }
        },
      );

      await t.test('the edge shut down mid-read: the cut-short cycle is recorded (lane_closed) in the outbox, not lost', async () => {
        await cards.insert(alice);
        await waitFor(
          () => lane.phase,
          (p) => p === 'reading_card',
          20_000,
          'card waiting for its CAN',
        );
        await edge!.close();
        edge = undefined;
        // Delivered before the link closed, or kept in the outbox for the next start: either way not lost.
        const d = new Database(cfg.outbox.path, { readonly: true });
        try {
          const kept = (d.prepare(`SELECT payload FROM outbox`).all() as { payload: Buffer }[]).map(
            (r) => (JSON.parse(r.payload.toString()) as { decision?: Decision }).decision,
          );
          const all = [...decisions(), ...kept];
          assert.ok(
            all.some((x) => x?.reasons.includes('lane_closed')),
            `hub + outbox hold: ${JSON.stringify(all.map((x) => x?.reasons))}`,
          );
        } finally {
          d.close();
        }
        await cards.remove();
      });
    } finally {
      await edge?.close();
      await hub?.close();
      await cards.stop();
      await pty.unplug();
    }
  },
);
