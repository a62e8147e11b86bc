import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { Webhook } from 'standardwebhooks';
import { v7 } from 'uuid';
import { stringify } from 'yaml';
import { hubConfigFromEnv, type HubConfig } from '../../apps/hub/src/config/hub-config.js';
import { startHub, type HubApp } from '../../apps/hub/src/hub-app.js';
import { startEdge } from '../../edge/src/edge-app.js';
import { EdgeConfigSchema } from '../../edge/src/config/edge-config.schema.js';
import {
  gateMqttClientId,
  topics,
  type Alert,
  type AlertWebhookPayload,
  type GateEvent,
  type LaneState,
  type SitesConfig,
} from '../../libs/contracts/src/index.js';
import { authedFetch, authedJson, issueGateCredentials, login, TEST_ADMIN_CONFIG, withGateCredentials } from '../support/hub-auth.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait-for.js';
import { facePhoto } from '../support/watchlist-fixtures.js';

// A shift at the gate and in the security room, walked in Chromium on a real hub (SQLite, embedded
// broker) and a real edge outbox: the operator works four lanes at 1366×768 by keyboard only (focus in
// and out of the reason field, quick reasons, lane keys), a VNeID QR review shows the QR's fields and
// the instruction; security sees 10 sightings of one person in 2 minutes as one alert with count 10,
// acknowledges and resolves it with both notes kept, bulk-acknowledges door alarms, and an unanswered
// critical alert reaches a local webhook receiver (signed, retried after a 500); the event search
// shows outcomes and finds a person; the alert list, detail and acknowledge work at 390×844.
// Screenshots: test/artifacts/shift/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = 'test/artifacts/shift';
const WANTED = { fullName: 'Trần Văn Truy Nã', idNumber: '001099012345' };
const SECOND = { fullName: 'Lê Thị Bỏ Trốn', idNumber: '001199054321' };
const WEBHOOK_SECRET = 'shift-webhook-secret-0123456789';

function sitesFile(dir: string, a: string): string {
  const sites: SitesConfig = {
    sites: [
      {
        id: a,
        name: 'Ga Hà Nội',
        kind: 'station',
        capacity: 500,
        location: { lat: 21.0245, lon: 105.8412 },
        zones: [
          { id: 'sanh-a', name: 'Sảnh A', capacity: 300 },
          { id: 'sanh-b', name: 'Sảnh B', capacity: 200 },
        ],
        gates: [
          { id: 'g1', zone: 'sanh-a', name: 'Cổng 1' },
          { id: 'g2', zone: 'sanh-a', name: 'Cổng 2' },
          { id: 'g3', zone: 'sanh-b', name: 'Cổng 3' },
        ],
      },
    ],
  };
  const f = join(dir, 'sites.yaml');
  writeFileSync(f, stringify(sites));
  return f;
}

/** A local webhook receiver: answers 500 to the first delivery attempt, 200 after; keeps every request. */
async function webhookReceiver(): Promise<{
  server: Server;
  url: string;
  got: { headers: IncomingMessage['headers']; body: string; status: number }[];
}> {
  const got: { headers: IncomingMessage['headers']; body: string; status: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = got.length === 0 ? 500 : 200;
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${port}/hooks/cong-ai?token=site-a`, got };
}

async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.locator('#login-user').fill(username);
  await page.locator('#login-pass').fill(password);
  await page.locator('#login-submit').click();
  await page.locator('#login').waitFor({ state: 'detached', timeout: 10_000 });
  await page.locator('#conn.on').waitFor({ timeout: 15_000 });
}

const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
/** The page's widest content against the viewport (no horizontal scrolling when ≤). */
const widths = (page: Page) =>
  page.evaluate<{ scroll: number; inner: number; body: number }>(
    '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth, body: document.body.scrollWidth })',
  );

test(
  'a shift: operator console by keyboard, security alerts folded, notes kept, escalation webhook, events, phone',
  { timeout: 300_000 },
  async (t) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
    const A = `shift-${tag}`;
    const dir = mkdtempSync(join(tmpdir(), 'cg-shift-'));
    const receiver = await webhookReceiver();
    const cfg: HubConfig = hubConfigFromEnv(
      {},
      {
        port: await freePort(),
        embeddedMqttPort: await freePort(),
        embeddedMqttHost: '127.0.0.1',
        sitesFile: sitesFile(dir, A),
        sqlitePath: join(dir, 'hub.db'),
        jwtSecretFile: join(dir, 'jwt.key'),
        dataKeyFile: join(dir, 'keys.json'),
        idHmacKey: Buffer.alloc(32, 7).toString('base64'),
        // Nothing escalates until the escalation step sets the site's rule.
        alertEscalateMinutes: 0,
        alertWebhookSecret: WEBHOOK_SECRET,
        ...TEST_ADMIN_CONFIG,
      },
    );
    const hub: HubApp = await startHub(cfg, false);
    let edge: Awaited<ReturnType<typeof startEdge>> | undefined;
    let g2: mqtt.MqttClient | undefined;
    let browser: Browser | undefined;
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const admin = authedFetch(adminToken);
      const adminJson = authedJson(adminToken);
      const creds = await issueGateCredentials(hub.url, adminToken, A, ['g1', 'g2', 'g3']);
      edge = await startEdge(
        withGateCredentials(
          EdgeConfigSchema.parse({
            site: { id: A, name: 'Ga Hà Nội', kind: 'station' },
            agent: { id: 'edge-shift' },
            mqtt: { url: `mqtt://127.0.0.1:${cfg.embeddedMqttPort}`, reconnectMs: 200 },
            outbox: { path: join(dir, 'outbox.db'), synchronous: 'NORMAL' },
            zones: [
              { id: 'sanh-a', name: 'Sảnh A' },
              { id: 'sanh-b', name: 'Sảnh B' },
            ],
            gates: [
              { id: 'g1', zone: 'sanh-a', name: 'Cổng 1' },
              { id: 'g2', zone: 'sanh-a', name: 'Cổng 2' },
              { id: 'g3', zone: 'sanh-b', name: 'Cổng 3' },
            ],
            statusIntervalMs: 1000,
          }),
          creds,
        ),
        false,
      );
      for (const [username, role] of [
        ['sec-a', 'security'],
        ['op-a', 'operator'],
      ] as const) {
        const res = await admin(`${hub.url}/api/users`, {
          method: 'POST',
          body: { username, password: `${username}-password-1`, role, siteIds: [A], mustChangePassword: false },
        });
        assert.equal(res.status, 201, await res.text());
      }
      const pw = (u: string) => `${u}-password-1`;
      const enrol = async (p: { fullName: string; idNumber: string }) => {
        const r = await admin(`${hub.url}/api/sites/${A}/watchlist`, {
          method: 'POST',
          body: { ...p, reason: 'Truy nã', severity: 'critical' },
        });
        const text = await r.text();
        assert.equal(r.status, 201, text);
        return (JSON.parse(text) as { entry: { entryId: string } }).entry.entryId;
      };
      await enrol(WANTED);

      g2 = await mqtt.connectAsync(`mqtt://127.0.0.1:${cfg.embeddedMqttPort}`, {
        clientId: gateMqttClientId(A, 'g2', 'test'),
        username: creds.get('g2')!.username,
        password: creds.get('g2')!.password,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      // What reaches gate g2: the commands the console sends.
      const commands: Record<string, unknown>[] = [];
      await g2.subscribeAsync(topics.gateCommands(A, 'g2'), { qos: 1 });
      g2.on(
        'message',
        (topic, payload) =>
          topic === topics.gateCommands(A, 'g2') && commands.push(JSON.parse(payload.toString()) as Record<string, unknown>),
      );
      const publishLane = (s: Partial<LaneState> & Pick<LaneState, 'laneId' | 'phase'>) =>
        g2!.publishAsync(topics.gateLanes(A, 'g2'), JSON.stringify({ siteId: A, gateId: 'g2', at: new Date().toISOString(), ...s }));
      const face = (await sharp(facePhoto('df01/2.jpg')).resize(112, 112).jpeg({ quality: 70 }).toBuffer()).toString('base64');
      const chip = (await sharp(facePhoto('df01/1.jpg')).resize(112, 112).jpeg({ quality: 70 }).toBuffer()).toString('base64');
      const deadline = () => new Date(Date.now() + 120_000).toISOString();
      const review = (n: number, what: 'verdict' = 'verdict') =>
        waitFor(
          () => commands.filter((c) => c.type === 'review_decision'),
          (l) => l.length >= n,
          10_000,
          `${n} ${what}s at the gate`,
        ).then((l) => l[n - 1]!);

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      });
      const context = (viewport = { width: 1366, height: 768 }): Promise<BrowserContext> => browser!.newContext({ viewport });
      const pageErrors: string[] = [];
      const watchErrors = (p: Page) => p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`));

      await t.test(
        'operator: four lanes at 1366×768, approve and deny by keyboard only, in and out of the reason field; a VNeID review shows the QR fields',
        async () => {
          const page = await (await context()).newPage();
          watchErrors(page);
          await signIn(page, `${hub.url}/console?site=${A}`, 'op-a', pw('op-a'));
          await page.waitForURL(/\/console\?site=/);
          // Four lanes: two idle, a chip review (near the threshold), and 2 s later a VNeID QR review.
          await publishLane({ laneId: 'l1', phase: 'idle' });
          await publishLane({ laneId: 'l3', phase: 'idle' });
          const chipReview = v7();
          await publishLane({
            laneId: 'l2',
            phase: 'awaiting_review',
            decisionId: chipReview,
            outcome: 'review',
            reasons: ['face_uncertain'],
            faceJpeg: face,
            chipJpeg: chip,
            matchScore: 0.42,
            matchThreshold: 0.4,
            liveness: 0.97,
            reviewDeadline: deadline(),
            card: { fullName: 'Nguyễn Văn Khách', idNumber: '001088000321', dateOfBirth: '1988-02-03', source: 'chip', genuine: true },
          });
          await page.locator('.tile[data-key="g2/l2"].p-awaiting_review').waitFor({ timeout: 10_000 });
          await page.waitForTimeout(1100);
          const qrReview = v7();
          await publishLane({
            laneId: 'l4',
            phase: 'awaiting_review',
            decisionId: qrReview,
            outcome: 'review',
            reasons: ['qr_needs_operator'],
            faceJpeg: face,
            liveness: 0.93,
            reviewDeadline: deadline(),
            card: {
              fullName: 'Phạm Thị Vân',
              idNumber: '079190004567',
              dateOfBirth: '1990-03-15',
              sex: 'Nữ',
              issueDate: '2021-07-01',
              source: 'qr',
            },
          });
          await page.locator('.tile[data-key="g2/l4"].p-awaiting_review').waitFor({ timeout: 10_000 });
          assert.equal(await page.locator('.strip .tile').count(), 4);
          // The queue is oldest first across lanes, and the oldest review is in front of the operator.
          assert.match((await page.locator('.review-queue li').first().textContent()) ?? '', /Làn l2/);
          assert.equal(await page.locator('[data-testid=decision]').getAttribute('data-key'), 'g2/l2');
          // Everything on one 1366×768 screen: no scrolling either way.
          const size = await page.evaluate<{ h: number; w: number; ih: number; iw: number }>(
            '({ h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth, ih: innerHeight, iw: innerWidth })',
          );
          assert.ok(size.h <= size.ih && size.w <= size.iw, `console fits 1366×768 (${size.w}×${size.h})`);
          const live = await page.locator('[data-testid=decision] img.live').boundingBox();
          const chipBox = await page.locator('[data-testid=decision] img.chip').boundingBox();
          assert.ok(live && live.width >= 240 && live.height >= 240, `live face ${live?.width}×${live?.height} ≥ 240 px`);
          assert.ok(chipBox && chipBox.x > live!.x + live!.width - 1, 'the chip photo beside the live face');
          assert.equal(
            (await page.locator('[data-testid=decision] .score').textContent())?.trim().startsWith('khớp sát ngưỡng'),
            true,
            'similarity in words',
          );
          assert.match((await page.locator('[data-testid=decision] .liveness').textContent()) ?? '', /^người thật/);
          assert.match((await page.locator('[data-testid=decision] .why').textContent()) ?? '', /Độ khớp sát ngưỡng/);
          // The keys printed on the buttons.
          for (const [cls, key] of [
            ['approve', 'A'],
            ['deny', 'D'],
            ['open', 'O'],
          ])
            assert.equal(await page.locator(`.main-keys .${cls} kbd`).textContent(), key);
          await shot(page, 'operator-console-1366x768');

          // 1. Focus out of the reason field (on the site selector): A approves at once.
          await page.locator('#site').focus();
          await page.keyboard.press('a');
          const first = await review(1);
          assert.equal(first.verdict, 'approve');
          assert.equal(first.decisionId, chipReview);
          assert.equal(await page.locator('#site').inputValue(), A, 'the key did not change the site selector');
          await publishLane({ laneId: 'l2', phase: 'open', decisionId: chipReview, outcome: 'open', reasons: ['operator_approved'] });

          // 2. The QR review comes to the front: every field of the QR and the instruction.
          await page.locator('[data-testid=decision][data-key="g2/l4"]').waitFor({ timeout: 10_000 });
          await page.locator('[data-testid=qr-instruction]', { hasText: 'ẢNH TRÊN MÀN HÌNH VNeID' }).waitFor();
          const fields = page.locator('[data-testid=card-fields]');
          assert.equal(await fields.locator('.f-name').textContent(), 'Phạm Thị Vân');
          assert.equal(await fields.locator('.f-dob').textContent(), '15/03/1990');
          assert.equal(await fields.locator('.f-sex').textContent(), 'Nữ');
          assert.equal(await fields.locator('.f-id').textContent(), '*********567', 'masked by the hub for the operator');
          assert.equal(await fields.locator('.f-issue').textContent(), '01/07/2021');
          assert.equal(await page.locator('[data-testid=decision] img.chip').count(), 0, 'no empty chip-photo box');
          await shot(page, 'operator-vneid-review');

          // 3. Focus in the reason field: letters are text (no A/D/O/1–9 action), Enter confirms the started deny.
          await page.keyboard.press('d');
          await page.locator('[data-testid=quick-reasons]').waitFor();
          await page.keyboard.press('Enter'); // into the reason field
          await page.waitForFunction(`document.activeElement?.classList.contains('reason')`);
          const typed = 'Không giống ảnh VNeID, đã mời ra quầy 1';
          await page.keyboard.type(typed);
          assert.equal(await page.locator('.reason').inputValue(), typed);
          assert.equal(commands.filter((c) => c.type === 'review_decision').length, 1, 'typing sent nothing');
          assert.equal(
            await page.locator('[data-testid=decision]').getAttribute('data-key'),
            'g2/l4',
            'the digit typed did not switch lanes',
          );
          await page.keyboard.press('Enter');
          const second = await review(2);
          assert.deepEqual([second.verdict, second.decisionId, second.reason], ['deny', qrReview, typed]);
          await publishLane({ laneId: 'l4', phase: 'denied', decisionId: qrReview, outcome: 'deny', reasons: ['operator_denied'] });

          // 4. Esc returns to the keys; a quick reason on its key.
          const third = v7();
          await publishLane({
            laneId: 'l1',
            phase: 'awaiting_review',
            decisionId: third,
            outcome: 'review',
            reasons: ['liveness_operator_check'],
            faceJpeg: face,
            chipJpeg: chip,
            matchScore: 0.71,
            matchThreshold: 0.4,
            liveness: 0.5,
            reviewDeadline: deadline(),
            card: { fullName: 'Hồ Văn Ba', idNumber: '001077000111', source: 'chip' },
          });
          await page.locator('[data-testid=decision][data-key="g2/l1"]').waitFor({ timeout: 10_000 });
          await page.locator('.reason').click();
          await page.keyboard.type('do');
          await page.keyboard.press('Escape');
          await page.waitForFunction(`!document.activeElement?.classList.contains('reason')`);
          await page.keyboard.press('d');
          await page.locator('.quick-reason.q-r kbd', { hasText: 'R' }).waitFor();
          await page.keyboard.press('r');
          const fourth = await review(3);
          assert.equal(fourth.verdict, 'deny');
          assert.match(String(fourth.reason), /^Không phải người thật/);
          await publishLane({ laneId: 'l1', phase: 'denied', decisionId: third, outcome: 'deny', reasons: ['operator_denied'] });

          // 5. Approve from inside the reason field: Enter with no deny started approves with the reason.
          const fifth = v7();
          await publishLane({
            laneId: 'l3',
            phase: 'awaiting_review',
            decisionId: fifth,
            outcome: 'review',
            reasons: ['face_uncertain'],
            faceJpeg: face,
            chipJpeg: chip,
            matchScore: 0.39,
            matchThreshold: 0.4,
            liveness: 0.95,
            reviewDeadline: deadline(),
            card: { fullName: 'Đỗ Thị Năm', idNumber: '001066000222', source: 'chip' },
          });
          await page.locator('[data-testid=decision][data-key="g2/l3"]').waitFor({ timeout: 10_000 });
          await page.locator('.reason').click();
          await page.keyboard.type('Đã xem CCCD tận tay');
          await page.keyboard.press('Enter');
          const sixth = await review(4);
          assert.deepEqual([sixth.verdict, sixth.decisionId, sixth.reason], ['approve', fifth, 'Đã xem CCCD tận tay']);

          // Lane keys: 3 picks the third lane, whatever had focus.
          await page.locator('.main-keys .open').focus();
          await page.keyboard.press('1');
          assert.equal(await page.locator('[data-testid=decision]').getAttribute('data-key'), 'g2/l1');
          await page.keyboard.press('4');
          assert.equal(await page.locator('[data-testid=decision]').getAttribute('data-key'), 'g2/l4');
          // English: every string of the panel follows.
          await page.locator('#lang').click();
          await page.locator('.main-keys .approve', { hasText: 'Approve' }).waitFor();
          await shot(page, 'operator-console-english');
          await page.locator('#lang').click();
          // The verdicts are audited with who sent them.
          const audit = await adminJson<{ action: string; actor: string }[]>(`${hub.url}/api/audit?siteId=${A}&limit=500`);
          assert.ok(audit.filter((r) => r.actor === 'op-a' && /review/.test(r.action)).length >= 4, 'verdicts audited');
        },
      );

      const sighting = (at: number, gateId = 'g1', who = WANTED): GateEvent => {
        const id = v7();
        return {
          eventId: id,
          siteId: A,
          zoneId: gateId === 'g3' ? 'sanh-b' : 'sanh-a',
          gateId,
          laneId: 'l1',
          direction: 'entry',
          source: 'card',
          occurredAt: new Date(at).toISOString(),
          identity: { idNumber: who.idNumber, fullName: who.fullName },
          decision: { decisionId: id, outcome: 'deny', reasons: ['watchlist_hit'], method: 'chip_face' },
        } as GateEvent;
      };
      const alertsOf = () => adminJson<Alert[]>(`${hub.url}/api/sites/${A}/alerts`);

      await t.test(
        'security: 10 sightings in 2 minutes are one alert with count 10; acknowledge then resolve keeps both notes; bulk acknowledge',
        async () => {
          const page = await (await context({ width: 1366, height: 900 })).newPage();
          watchErrors(page);
          await signIn(page, `${hub.url}/alerts`, 'sec-a', pw('sec-a'));
          await page.getByText('Không có cảnh báo').waitFor();
          const t0 = Date.now() - 120_000;
          const events = Array.from({ length: 10 }, (_, i) => sighting(t0 + i * 12_000, i % 3 === 2 ? 'g3' : 'g1'));
          edge!.outbox.enqueueMany(events.slice(0, 5));
          await page.locator('#alert-banner', { hasText: 'Trần Văn Truy Nã' }).waitFor({ timeout: 20_000 });
          edge!.outbox.enqueueMany(events.slice(5));
          await page.locator('tr.alert-row.k-watchlist [data-testid=sightings]', { hasText: /^10$/ }).waitFor({ timeout: 20_000 });
          const list = (await alertsOf()).filter((a) => a.kind === 'watchlist');
          assert.equal(list.length, 1, 'one alert');
          assert.equal(list[0]!.sightings, 10);
          assert.deepEqual(list[0]!.gates, ['g1', 'g3']);
          assert.equal(list[0]!.firstSeenAt, events[0]!.occurredAt);
          assert.equal(list[0]!.lastSeenAt, events[9]!.occurredAt);
          assert.equal(await page.locator('tr.alert-row.k-watchlist').count(), 1);
          await page.locator('tr.alert-row.k-watchlist').click();
          await page.locator('[data-testid=timeline] li').nth(9).waitFor({ timeout: 10_000 });
          assert.equal(await page.locator('[data-testid=detail-sightings]').textContent(), '10');
          assert.equal(
            await page
              .locator('.gates-seen')
              .textContent()
              .then((s) => s?.startsWith('Cổng 1, Cổng 3')),
            true,
          );
          await shot(page, 'security-alert-grouped');

          await page.locator('textarea.note').fill('Đã cử tổ tuần tra tới cổng 1');
          await page.locator('button.ack').click();
          await page.locator('.ack-note', { hasText: 'Đã cử tổ tuần tra tới cổng 1' }).waitFor({ timeout: 10_000 });
          await page.locator('textarea.note').fill('Đã bàn giao cho công an phường');
          await page.locator('button.resolve').click();
          await page.locator('.close-note', { hasText: 'Đã bàn giao cho công an phường' }).waitFor({ timeout: 10_000 });
          assert.equal(await page.locator('.ack-note').count(), 1, 'the acknowledge note is still shown');
          assert.match((await page.locator('.h-ack').textContent()) ?? '', /sec-a/);
          assert.match((await page.locator('.h-close').textContent()) ?? '', /sec-a/);
          await shot(page, 'security-alert-notes');
          const a = (await alertsOf()).find((x) => x.alertId === list[0]!.alertId)!;
          assert.deepEqual(
            [a.status, a.ackNote, a.closeNote, a.acknowledgedBy, a.closedBy],
            ['resolved', 'Đã cử tổ tuần tra tới cổng 1', 'Đã bàn giao cho công an phường', 'sec-a', 'sec-a'],
          );
          const audit = await adminJson<{ action: string; actor: string; subjectId: string; detail: { note?: string } | null }[]>(
            `${hub.url}/api/audit?siteId=${A}&limit=500`,
          );
          const rows = audit.filter((r) => r.subjectId === a.alertId);
          assert.equal(rows.find((r) => r.action === 'alert.acknowledged')?.detail?.note, 'Đã cử tổ tuần tra tới cổng 1');
          assert.equal(rows.find((r) => r.action === 'alert.resolved')?.detail?.note, 'Đã bàn giao cho công an phường');

          // Seen again within the window after being resolved: folded into the resolved alert, no new one.
          edge!.outbox.enqueue(sighting(Date.now()));
          await waitFor(alertsOf, (l) => l.find((x) => x.alertId === a.alertId)?.sightings === 11, 15_000, 'the 11th sighting folded');
          assert.equal((await alertsOf()).filter((x) => x.kind === 'watchlist').length, 1);

          // Three door alarms, acknowledged at once with one note.
          const doors = ['g1', 'g2', 'g3'].map((gateId) => {
            const id = v7();
            return {
              eventId: id,
              siteId: A,
              zoneId: gateId === 'g3' ? 'sanh-b' : 'sanh-a',
              gateId,
              laneId: 'l1',
              direction: 'entry',
              source: 'manual',
              occurredAt: new Date().toISOString(),
              decision: { decisionId: id, outcome: 'deny', reasons: ['door_held_open'], method: 'none' },
            } as GateEvent;
          });
          edge!.outbox.enqueueMany(doors);
          await waitFor(
            () => page.locator('tr.alert-row.k-door.st-open').count(),
            (n) => n === 3,
            20_000,
            'three door alarms on screen',
          );
          await page.locator('input[name=check-all]').check();
          await page.locator('.bulk-note').fill('Kiểm tra cửa cả 3 cổng');
          await shot(page, 'security-bulk-selected');
          await page.locator('button.bulk-ack').click();
          await page.locator('[role=status]', { hasText: 'Đã tiếp nhận 3 cảnh báo' }).waitFor({ timeout: 10_000 });
          const after = (await alertsOf()).filter((x) => x.kind === 'door');
          assert.deepEqual(
            after.map((x) => [x.status, x.ackNote]),
            Array(3).fill(['acknowledged', 'Kiểm tra cửa cả 3 cổng']),
          );
        },
      );

      await t.test(
        'escalation: a critical alert nobody acknowledges reaches the local webhook receiver, signed, after a retry; the screen marks it overdue',
        async () => {
          const page = await (await context({ width: 1366, height: 900 })).newPage();
          watchErrors(page);
          await signIn(page, `${hub.url}/alerts`, 'sec-a', pw('sec-a'));
          await page.locator('tr.alert-row').first().waitFor();
          const rule = await admin(`${hub.url}/api/alert-rules`, {
            method: 'PUT',
            body: {
              siteId: A,
              minSeverity: 'low',
              notifyRoles: ['security', 'admin'],
              escalateAfterMinutes: 0.05,
              webhookUrl: receiver.url,
            },
          });
          assert.equal(rule.status, 200, await rule.text());
          await enrol(SECOND);
          // Right after the enrolment the lane does not know the new entry: its state has the face but no
          // watchlist hit. The hub's own check raises the alert, and the alert still gets the live crop.
          const first = sighting(Date.now(), 'g2', SECOND);
          await publishLane({
            laneId: 'l1',
            phase: 'denied',
            decisionId: first.eventId,
            outcome: 'deny',
            reasons: ['face_mismatch'],
            faceJpeg: face,
          });
          // (Whichever reaches the hub first, the lane state or the event, the crop is kept.)
          edge!.outbox.enqueue(first);
          const raised = await waitFor(alertsOf, (l) => l.some((x) => x.fullName === SECOND.fullName), 15_000, 'the second alert').then(
            (l) => l.find((x) => x.fullName === SECOND.fullName)!,
          );
          const photos = await waitFor(
            () => adminJson<{ liveCrop: string | null }>(`${hub.url}/api/sites/${A}/alerts/${raised.alertId}/photos`),
            (p) => p.liveCrop !== null,
            10_000,
            'the live crop',
          );
          assert.equal(photos.liveCrop, face, 'the first alert after an enrolment has its live crop');
          await waitFor(
            () => receiver.got.length,
            (n) => n >= 2,
            30_000,
            'a delivery after the failed attempt',
          );
          const [failed, ok] = receiver.got;
          assert.equal(failed!.status, 500);
          assert.equal(ok!.status, 200);
          assert.equal(failed!.headers['webhook-id'], ok!.headers['webhook-id'], 'a retry is the same delivery');
          const payload = new Webhook(Buffer.from(WEBHOOK_SECRET, 'utf8'), { format: 'raw' }).verify(
            ok!.body,
            ok!.headers as Record<string, string>,
          ) as AlertWebhookPayload;
          assert.equal(payload.type, 'alert.escalated');
          assert.equal(payload.alert.alertId, raised.alertId);
          assert.equal(payload.alert.severity, 'critical');
          assert.ok(payload.alert.minutesUnacknowledged >= 0.05);
          assert.ok(!ok!.body.includes(SECOND.fullName) && !ok!.body.includes(SECOND.idNumber), 'no personal data leaves in the webhook');
          assert.throws(
            () =>
              new Webhook(Buffer.from('another-secret-0123456789', 'utf8'), { format: 'raw' }).verify(
                ok!.body,
                ok!.headers as Record<string, string>,
              ),
            'a wrong key does not verify',
          );
          await page.locator(`tr.alert-row.overdue[data-alert="${raised.alertId}"] .overdue-badge`).waitFor({ timeout: 10_000 });
          await page.locator('#alert-banner.escalated').waitFor();
          await shot(page, 'security-escalated');
          const audit = await adminJson<{ action: string; subjectId: string; detail: { attempts?: number } | null }[]>(
            `${hub.url}/api/audit?siteId=${A}&limit=500`,
          );
          assert.ok(audit.some((r) => r.action === 'alert.escalated' && r.subjectId === raised.alertId));
          assert.equal(audit.find((r) => r.action === 'alert.webhook_delivered' && r.subjectId === raised.alertId)?.detail?.attempts, 2);
          assert.equal(receiver.got.length, 2, 'escalated once');
        },
      );

      await t.test(
        'events: outcome and reasons in words, filter by outcome, search by CCCD number and by name (audited), detail',
        async () => {
          const id = v7();
          edge!.outbox.enqueue({
            eventId: id,
            siteId: A,
            zoneId: 'sanh-a',
            gateId: 'g2',
            laneId: 'l2',
            direction: 'entry',
            source: 'card',
            occurredAt: new Date().toISOString(),
            identity: { fullName: 'Ngô Văn Lạ', idNumber: '001055000999' },
            decision: { decisionId: id, outcome: 'deny', reasons: ['face_mismatch'], method: 'chip_face' },
          } as GateEvent);
          await waitFor(
            () => adminJson<{ items: { eventId: string }[] }>(`${hub.url}/api/events?siteId=${A}`),
            (p) => p.items.some((e) => e.eventId === id),
            15_000,
            'event stored',
          );
          const page = await (await context({ width: 1366, height: 900 })).newPage();
          watchErrors(page);
          await signIn(page, `${hub.url}/events`, 'sec-a', pw('sec-a'));
          await page.locator(`tr.event-row[data-event="${id}"]`).waitFor({ timeout: 10_000 });
          const row = page.locator(`tr.event-row[data-event="${id}"]`);
          assert.match((await row.locator('.outcome').textContent()) ?? '', /Từ chối/);
          assert.match((await row.locator('.reasons').textContent()) ?? '', /Khuôn mặt không khớp ảnh chip/);
          assert.doesNotMatch((await row.locator('.c-dir').textContent()) ?? '', /^Vào$/, 'a refused entrant does not read "Vào"');
          await page.locator('select[name=outcome]').selectOption('open');
          await page.locator('button.search').click();
          await page.locator(`tr.event-row[data-event="${id}"]`).waitFor({ state: 'detached' });
          await page.locator('select[name=outcome]').selectOption('deny');
          await page.locator('input[name=person]').fill('001055000999');
          await page.locator('button.search').click();
          await page.waitForFunction(
            `document.querySelectorAll('tr.event-row').length === 1 && document.querySelector('tr.event-row').dataset.event === ${JSON.stringify(id)}`,
          );
          await page.locator('input[name=person]').fill('ngo van la');
          await page.locator('button.search').click();
          await page.waitForFunction(
            `document.querySelectorAll('tr.event-row').length === 1 && document.querySelector('tr.event-row').dataset.event === ${JSON.stringify(id)}`,
          );
          await row.click();
          await page.locator('[data-testid=event-detail] .identity-name', { hasText: 'Ngô Văn Lạ' }).waitFor();
          await shot(page, 'security-events-detail');
          const audit = await adminJson<{ action: string; actor: string; detail: Record<string, unknown> | null }[]>(
            `${hub.url}/api/audit?siteId=${A}&limit=500`,
          );
          const searches = audit.filter((r) => r.action === 'event.search_person' && r.actor === 'sec-a');
          assert.ok(
            searches.some((r) => r.detail?.name === 'ngo van la'),
            'the name search is audited',
          );
          assert.ok(
            searches.some((r) => typeof r.detail?.idNumberHmac === 'string' && !JSON.stringify(r.detail).includes('001055000999')),
            'the CCCD search is audited by its HMAC',
          );
          assert.ok(
            audit.some((r) => r.action === 'event.identity' && r.actor === 'sec-a'),
            'the identity read is audited',
          );
          // An operator may not search by person: refused with a code, and audited.
          const op = (await login(hub.url, 'op-a', pw('op-a'))).accessToken;
          const refused = await authedFetch(op)(`${hub.url}/api/events?siteId=${A}&person=001055000999`);
          assert.equal(refused.status, 403);
          assert.equal(((await refused.json()) as { code: string }).code, 'PERSON_SEARCH_FORBIDDEN');
        },
      );

      await t.test(
        'phone 390×844: alert list, detail as its own view, acknowledge; no horizontal scroll; the header folds away',
        async () => {
          // A fresh open alert to acknowledge on the phone.
          edge!.outbox.enqueueMany([sighting(Date.now(), 'g3', SECOND)]);
          const ctx = await browser!.newContext({
            viewport: { width: 390, height: 844 },
            deviceScaleFactor: 2,
            isMobile: true,
            hasTouch: true,
          });
          const page = await ctx.newPage();
          watchErrors(page);
          await signIn(page, `${hub.url}/alerts`, 'sec-a', pw('sec-a'));
          await page.locator('tr.alert-row').first().waitFor();
          await shot(page, 'phone-alert-list-top');
          const header = await page.locator('header.top').boundingBox();
          assert.ok(header && header.height <= 60, `header ${header?.height} px tall`);
          let w = await widths(page);
          assert.ok(w.scroll <= w.inner && w.body <= w.inner, `list: no horizontal overflow (${w.scroll}/${w.body} > ${w.inner})`);
          await shot(page, 'phone-alert-list', true);
          await page.locator('#menu-toggle').click();
          await page.locator('header.top .nav a.nav-link', { hasText: 'Tra cứu sự kiện' }).waitFor();
          await shot(page, 'phone-menu-open');
          await page.locator('#menu-toggle').click();
          const target = page.locator('tr.alert-row.st-open.k-watchlist').first();
          const alertId = await target.getAttribute('data-alert');
          await target.click();
          await page.locator('[data-testid=alert-detail]').waitFor();
          // The detail is its own view: the list is gone, not covered.
          assert.equal(await page.locator('.a-list').isVisible(), false, 'the list is not under the detail');
          await page.locator('img.list-photo, .a-detail .nophoto').first().waitFor();
          w = await widths(page);
          assert.ok(w.scroll <= w.inner && w.body <= w.inner, `detail: no horizontal overflow (${w.scroll}/${w.body} > ${w.inner})`);
          for (const img of await page.locator('.a-detail img, .a-detail .nophoto').all()) {
            const b = await img.boundingBox();
            assert.ok(b && b.x >= 0 && b.x + b.width <= 390, 'images fit the screen');
          }
          await page.locator('textarea.note').fill('Đang tới cổng 3');
          await shot(page, 'phone-alert-detail', true);
          await page.locator('button.ack').click();
          await page.locator('.ack-note', { hasText: 'Đang tới cổng 3' }).waitFor({ timeout: 10_000 });
          await page.locator('.a-detail button.back').click();
          await page.locator(`tr.alert-row.st-acknowledged[data-alert="${alertId}"]`).waitFor();
          assert.equal(await page.locator('[data-testid=alert-detail]').count(), 0);
          const listBox = await page.locator('.a-table').boundingBox();
          assert.ok(listBox && listBox.x >= 0 && listBox.x + listBox.width <= 390, 'the list fits');
          await ctx.close();
        },
      );
      assert.deepEqual(pageErrors, [], 'no script errors on any page');
    } finally {
      await browser?.close();
      await g2?.endAsync(true);
      await edge?.close();
      await hub.close();
      await new Promise((r) => receiver.server.close(r));
    }
  },
);
