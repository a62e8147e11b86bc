import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { v7 } from 'uuid';
import { hubConfigFromEnv } from '../../apps/hub/src/config/hub-config.js';
import { startHub } from '../../apps/hub/src/hub-app.js';
import { startEdge } from '../../edge/src/edge-app.js';
import { authedFetch, credentialedEdgeConfig, login, TEST_ADMIN, TEST_ADMIN_CONFIG } from '../support/hub-auth.js';
import { testSite } from '../support/test-site.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

test(
  'IOC wall in Chromium: sign-in form, live counts move after an event, language switches, API-key wall display, screenshot saved',
  { timeout: 90_000 },
  async () => {
    const site = testSite('ioc');
    const hub = await startHub(
      hubConfigFromEnv(
        {},
        {
          port: 0,
          embeddedMqttPort: 0,
          embeddedMqttHost: '127.0.0.1',
          sitesFile: site.sitesFile,
          sqlitePath: `${site.dir}/hub.db`,
          ...TEST_ADMIN_CONFIG,
        },
      ),
      false,
    );
    const edge = await startEdge(await credentialedEdgeConfig(hub.url, site.edgeConfig(`mqtt://127.0.0.1:${hub.mqttPort}`)), false);
    let browser: Browser | null = null;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${hub.url}/wall?site=${site.siteId}`);
      // No credential yet: the sign-in form; a wrong password is refused with a message.
      await page.locator('#login:not([hidden])').waitFor({ timeout: 15_000 });
      await page.fill('#login-user', TEST_ADMIN.username);
      await page.fill('#login-pass', 'not-the-password');
      await page.click('#login-submit');
      await page.locator('#login-error', { hasText: /Sai tên đăng nhập/ }).waitFor({ timeout: 5000 });
      await page.fill('#login-pass', TEST_ADMIN.password);
      await page.click('#login-submit');
      await page.locator('#login').waitFor({ state: 'hidden', timeout: 5000 });
      await page.locator('#conn.on').waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('#site-entries').textContent(), '0');
      assert.equal(
        await page.locator('h1').textContent(),
        'Giám sát ra/vào · Ga Hà Nội (test)',
        'Vietnamese by default, with what the screen covers',
      );
      assert.equal(await page.locator('.gate').count(), 3);
      await page.locator('.gate.online').first().waitFor({ timeout: 15_000 });

      const now = new Date().toISOString();
      edge.outbox.enqueueMany([
        { eventId: v7(), siteId: site.siteId, zoneId: 'sanh-a', gateId: 'g1', direction: 'entry', source: 'camera', occurredAt: now },
        { eventId: v7(), siteId: site.siteId, zoneId: 'sanh-a', gateId: 'g2', direction: 'entry', source: 'card', occurredAt: now },
        { eventId: v7(), siteId: site.siteId, zoneId: 'sanh-b', gateId: 'g3', direction: 'exit', source: 'camera', occurredAt: now },
        // A lane's refusal: on the ticker with its reason, never in the counts.
        {
          eventId: v7(),
          siteId: site.siteId,
          zoneId: 'sanh-a',
          gateId: 'g2',
          laneId: 'l1',
          direction: 'entry',
          source: 'card',
          occurredAt: now,
          decision: { decisionId: v7(), outcome: 'deny', reasons: ['face_mismatch'], method: 'chip_face' },
        },
      ]);
      await page.locator('#site-entries', { hasText: /^2$/ }).waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('#site-exits').textContent(), '1');
      assert.equal(await page.locator('#site-occupancy').textContent(), '1');
      await page.locator('#ticker li').nth(3).waitFor({ timeout: 5000 });
      assert.equal(await page.locator('#ticker li.refused .v').textContent(), 'TỪ CHỐI · Khuôn mặt không khớp ảnh chip');
      assert.equal(await page.locator('#site-entries').textContent(), '2', 'the refusal is not counted');

      await page.locator('#lang').click();
      assert.equal(await page.locator('h1').textContent(), 'Entry/exit monitoring · Ga Hà Nội (test)');
      assert.equal(await page.locator('.totals .entry .label').textContent(), 'Entries · today');

      mkdirSync('test/artifacts', { recursive: true });
      await page.screenshot({ path: 'test/artifacts/ioc-wall.png' });
      assert.deepEqual(errors, [], 'no script errors on the page');

      // A wall display with an API key in the URL fragment: no form, live at once, key off the address bar.
      const admin = authedFetch((await login(hub.url)).accessToken);
      const { key } = (await (
        await admin(`${hub.url}/api/api-keys`, { method: 'POST', body: { name: 'wall 1', siteIds: [site.siteId] } })
      ).json()) as { key: string };
      const wall = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const wallErrors: string[] = [];
      wall.on('pageerror', (e) => wallErrors.push(e.message));
      await wall.goto(`${hub.url}/?site=${site.siteId}#key=${key}`);
      await wall.locator('#conn.on').waitFor({ timeout: 15_000 });
      // The socket connects first, then the wall subscribes to its sites and gets their snapshot.
      await wall.locator('#site-entries', { hasText: /^2$/ }).waitFor({ timeout: 5000 });
      assert.equal(await wall.locator('#login').isHidden(), true);
      assert.doesNotMatch(wall.url(), /key=/);
      assert.deepEqual(wallErrors, [], 'no script errors on the wall page');
    } finally {
      await browser?.close();
      await edge.close();
      await hub.close();
    }
  },
);
