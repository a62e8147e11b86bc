import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { v7 } from 'uuid';
import { hubConfigFromEnv } from '../../apps/hub/src/config/hub-config.js';
import { startHub } from '../../apps/hub/src/hub-app.js';
import { startEdge } from '../../edge/src/edge-app.js';
import { testSite } from '../support/test-site.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

test('IOC wall in Chromium: live counts move after an event, language switches, screenshot saved', { timeout: 90_000 }, async () => {
  const site = testSite('ioc');
  const hub = await startHub(
    hubConfigFromEnv({}, { port: 0, embeddedMqttPort: 0, embeddedMqttHost: '127.0.0.1', sitesFile: site.sitesFile, sqlitePath: `${site.dir}/hub.db` }),
    false,
  );
  const edge = await startEdge(site.edgeConfig(`mqtt://127.0.0.1:${hub.mqttPort}`), false);
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${hub.url}/?site=${site.siteId}`);
    await page.locator('#conn.on').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#site-entries').textContent(), '0');
    assert.equal(await page.locator('h1').textContent(), 'Giám sát ra/vào', 'Vietnamese by default');
    assert.equal(await page.locator('.gate').count(), 3);
    await page.locator('.gate.online').first().waitFor({ timeout: 15_000 });

    const now = new Date().toISOString();
    edge.outbox.enqueueMany([
      { eventId: v7(), siteId: site.siteId, zoneId: 'sanh-a', gateId: 'g1', direction: 'entry', source: 'camera', occurredAt: now },
      { eventId: v7(), siteId: site.siteId, zoneId: 'sanh-a', gateId: 'g2', direction: 'entry', source: 'card', occurredAt: now },
      { eventId: v7(), siteId: site.siteId, zoneId: 'sanh-b', gateId: 'g3', direction: 'exit', source: 'camera', occurredAt: now },
    ]);
    await page.locator('#site-entries', { hasText: /^2$/ }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#site-exits').textContent(), '1');
    assert.equal(await page.locator('#site-occupancy').textContent(), '1');
    await page.locator('#ticker li').nth(2).waitFor({ timeout: 5000 });

    await page.locator('#lang').click();
    assert.equal(await page.locator('h1').textContent(), 'Entry/exit monitoring');
    assert.equal(await page.locator('.totals .entry .label').textContent(), 'Entries');

    mkdirSync('test/artifacts', { recursive: true });
    await page.screenshot({ path: 'test/artifacts/ioc-wall.png' });
    assert.deepEqual(errors, [], 'no script errors on the page');
  } finally {
    await browser?.close();
    await edge.close();
    await hub.close();
  }
});
