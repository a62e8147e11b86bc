import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { chromium, type Browser } from 'playwright-core';
import { v7 } from 'uuid';
import { stringify } from 'yaml';
import { hubConfigFromEnv } from '../../apps/hub/src/config/hub-config.js';
import { startHub, type HubApp } from '../../apps/hub/src/hub-app.js';
import { EventBatcher } from '../../apps/hub/src/ingest/event-batcher.service.js';
import type { GateEvent, SitesConfig } from '../../libs/contracts/src/index.js';
import { authedFetch, authedJson, login, TEST_ADMIN_CONFIG } from '../support/hub-auth.js';
import { waitFor } from '../support/wait-for.js';

// Issue 22: a manager prints last month's report to PDF as Chromium does it (`page.pdf`, A4, the print
// stylesheet): the PDF is read back with PDF.js — a sane number of pages, the site's name, the report's
// title and its totals in Vietnamese figures — and its first page is drawn to a PNG to be looked at
// (test/artifacts/office/report-month-page1.png), beside a screenshot in print media.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const ARTIFACTS = 'test/artifacts/office';
const SITE = 'trang-an-print';
const DAY = 86_400_000;
const TZ_MS = 7 * 3_600_000;

/** Local midnight (UTC+7) of the first day of the month `offset` months from now's month. */
function monthStart(offset: number): number {
  const local = new Date(Date.now() + TZ_MS);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + offset, 1) - TZ_MS;
}
const localDate = (ms: number) => new Date(ms + TZ_MS).toISOString().slice(0, 10);

test('issue 22: a month report printed to A4 PDF by Chromium, read back and drawn', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-office-print-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const sites: SitesConfig = {
    sites: [
      {
        id: SITE,
        name: 'Khu du lịch Tràng An',
        kind: 'tourist',
        capacity: 12500,
        zones: [
          { id: 'cong', name: 'Cổng chính' },
          { id: 'ben', name: 'Bến thuyền' },
        ],
        gates: [
          { id: 'g1', zone: 'cong', name: 'Cổng chính 1' },
          { id: 'g2', zone: 'cong', name: 'Cổng soát vé CCCD' },
          { id: 'g3', zone: 'ben', name: 'Bến thuyền' },
        ],
      },
    ],
  } as SitesConfig;
  writeFileSync(join(dir, 'sites.yaml'), stringify(sites));
  const hub: HubApp = await startHub(
    hubConfigFromEnv(
      {},
      {
        port: 0,
        embeddedMqttPort: 0,
        embeddedMqttHost: '127.0.0.1',
        sitesFile: join(dir, 'sites.yaml'),
        sqlitePath: join(dir, 'hub.db'),
        dataKeyFile: join(dir, 'keys.json'),
        eventMaxAgeDays: 120,
        retentionIntervalMin: 0,
        ...TEST_ADMIN_CONFIG,
      },
    ),
    false,
  );
  let browser: Browser | null = null;
  try {
    const adminToken = (await login(hub.url)).accessToken;
    assert.equal(
      (
        await authedFetch(adminToken)(`${hub.url}/api/users`, {
          method: 'POST',
          body: { mustChangePassword: false, username: 'quanly', password: 'quan-ly-mat-khau-1', role: 'manager', siteIds: [SITE] },
        })
      ).status,
      201,
    );

    // Last month: 1 800 crossings over its days and hours (1 200 in, 600 out) and 30 refusals (not crossings).
    const m0 = monthStart(-1);
    const m1 = monthStart(0);
    const days = Math.round((m1 - m0) / DAY);
    const events: GateEvent[] = [];
    for (let i = 0; i < 1800; i++) {
      const at = m0 + (i % days) * DAY + (6 + ((i * 7) % 14)) * 3_600_000 + (i % 50) * 60_000;
      events.push({
        eventId: v7(),
        siteId: SITE,
        zoneId: i % 4 === 3 ? 'ben' : 'cong',
        gateId: i % 4 === 3 ? 'g3' : 'g1',
        direction: i % 3 === 2 ? 'exit' : 'entry',
        source: 'camera',
        occurredAt: new Date(at).toISOString(),
      } as GateEvent);
    }
    for (let i = 0; i < 30; i++) {
      const id = v7();
      events.push({
        eventId: id,
        siteId: SITE,
        zoneId: 'cong',
        gateId: 'g2',
        laneId: 'l1',
        direction: 'entry',
        source: 'card',
        occurredAt: new Date(m0 + (i % days) * DAY + 10 * 3_600_000).toISOString(),
        decision: {
          decisionId: id,
          outcome: 'deny',
          reasons: i % 2 ? ['face_mismatch'] : ['qr_needs_operator', 'review_timeout'],
          method: 'chip_face',
        },
      } as GateEvent);
    }
    const batcher = hub.app.get(EventBatcher);
    await Promise.all(events.map((e) => batcher.submit(e)));
    const q = `siteId=${SITE}&from=${new Date(m0).toISOString()}&to=${new Date(m1).toISOString()}`;
    const counted = await waitFor(
      () => authedJson(adminToken)<{ totals: { entries: number; exits: number } }>(`${hub.url}/api/counts?${q}&bucket=1d`),
      (r) => r.totals.entries + r.totals.exits === 1800,
      30_000,
      'last month stored',
    );
    const fmt = (n: number) => new Intl.NumberFormat('vi-VN').format(n);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${hub.url}/reports`);
    await page.locator('#login-user').fill('quanly');
    await page.locator('#login-pass').fill('quan-ly-mat-khau-1');
    await page.keyboard.press('Enter');
    await page.locator('select[name=preset]').selectOption('custom');
    await page.locator('input[name=from]').fill(localDate(m0));
    await page.locator('input[name=to]').fill(localDate(m1 - DAY));
    await page.locator('button.apply').click();
    await page.locator('[data-testid=kpi-entries]', { hasText: fmt(counted.totals.entries) }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500); // the charts' first paint

    await page.emulateMedia({ media: 'print' });
    // On paper every chart is drawn again at the page's width (none collapses to nothing).
    const charts = await page
      .locator('.echart canvas')
      .evaluateAll((cs) =>
        cs
          .map((c) => (c as unknown as { getBoundingClientRect(): { width: number; height: number } }).getBoundingClientRect())
          .map((r) => [Math.round(r.width), Math.round(r.height)]),
      );
    assert.ok(charts.length >= 3, `occupancy, heat map and refusals (and their layers): ${JSON.stringify(charts)}`);
    assert.ok(
      charts.every(([w, h]) => w >= 600 && w <= 700 && h > 200),
      `charts drawn at the A4 panel's width: ${JSON.stringify(charts)}`,
    );
    await page.screenshot({ path: `${ARTIFACTS}/report-month-print-media.png`, fullPage: true });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeFileSync(`${ARTIFACTS}/report-month.pdf`, pdf);

    const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, disableFontFace: true }).promise;
    assert.ok(doc.numPages >= 1 && doc.numPages <= 4, `a month report prints on 1–4 A4 pages, not ${doc.numPages}`);
    let text = '';
    for (let p = 1; p <= doc.numPages; p++) {
      const content = await (await doc.getPage(p)).getTextContent();
      text += `${content.items.map((it) => ('str' in it ? it.str : '')).join(' ')}\n`;
    }
    const flat = text.replace(/\s+/g, ' ');
    assert.match(flat, /Khu du lịch Tràng An/, 'the site by name');
    assert.match(flat, /Báo cáo ra\/vào/, 'the report’s title');
    assert.ok(flat.includes(fmt(counted.totals.entries)), `entries ${fmt(counted.totals.entries)} in: ${flat.slice(0, 400)}`);
    assert.ok(flat.includes(fmt(counted.totals.exits)), `exits ${fmt(counted.totals.exits)}`);
    assert.match(flat, /Hết thời gian chờ nhân viên/, 'refusal reasons in words');
    assert.ok(!/Xuất Excel|In \/ Lưu PDF/.test(flat), 'no buttons on paper');
    const first = await doc.getPage(1);
    const size = first.getViewport({ scale: 1 });
    assert.ok(
      Math.abs(size.width - 595) < 2 && Math.abs(size.height - 842) < 2,
      `A4 portrait (595×842 pt), got ${size.width}×${size.height}`,
    );

    // Page 1 drawn as a reader would see it.
    const viewport = first.getViewport({ scale: 1.5 });
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const ctx = canvas.getContext('2d');
    await first.render({ canvasContext: ctx as never, canvas: canvas as never, viewport }).promise;
    writeFileSync(`${ARTIFACTS}/report-month-page1.png`, await canvas.encode('png'));
    // Paper stays white around the report (the screen's dark colour scheme does not print into the margins).
    assert.deepEqual([...ctx.getImageData(8, 8, 1, 1).data], [255, 255, 255, 255], 'white margin');
    await doc.destroy();
  } finally {
    await browser?.close();
    await hub.close();
  }
});
