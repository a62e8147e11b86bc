// bench:web — what each screen of the web app costs a browser: the bytes it loads (over the wire, with the
// hub's precompressed assets, and decoded) and the IOC wall's first render (navigation start → headline
// figures and both charts painted), in Debian's Chromium at 1920×1080 on a real hub (SQLite, no edge).
// Prints one line per page and a JSON summary. Run: npm run bench:web
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { stringify } from 'yaml';
import { hubConfigFromEnv } from '../apps/hub/src/config/hub-config.js';
import { startHub } from '../apps/hub/src/hub-app.js';
import type { SitesConfig } from '../libs/contracts/src/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const performance: any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { username: 'admin', password: 'bench-admin-password-1' };
const RUNS = Number(process.env.RUNS ?? 5);
const kb = (n: number) => Math.round(n / 1024);

const dir = mkdtempSync(join(tmpdir(), 'cg-bench-web-'));
const sites: SitesConfig = {
  sites: [
    {
      id: 'trang-an',
      name: 'Khu du lịch Tràng An',
      kind: 'tourist',
      capacity: 5000,
      location: { lat: 20.2526, lon: 105.9164 },
      zones: [{ id: 'cong', name: 'Cổng chính', capacity: 5000 }],
      gates: [
        { id: 'g1', zone: 'cong', name: 'Cổng chính 1' },
        { id: 'g2', zone: 'cong', name: 'Cổng soát vé CCCD' },
      ],
    },
  ],
} as SitesConfig;
writeFileSync(join(dir, 'sites.yaml'), stringify(sites));
const hub = await startHub(
  hubConfigFromEnv(
    {},
    {
      port: 0,
      embeddedMqttPort: 0,
      embeddedMqttHost: '127.0.0.1',
      sitesFile: join(dir, 'sites.yaml'),
      sqlitePath: join(dir, 'hub.db'),
      adminUsername: ADMIN.username,
      adminPassword: ADMIN.password,
    },
  ),
  false,
);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const tokens = (await (
    await fetch(`${hub.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    })
  ).json()) as { accessToken: string };
  const key = (await (
    await fetch(`${hub.url}/api/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.accessToken}` },
      body: JSON.stringify({ name: 'bench', siteIds: ['trang-an'] }),
    })
  ).json()) as { key: string };

  // Wall: first render, fresh browser context each run (nothing cached).
  const renders: number[] = [];
  let wallBytes = { wire: 0, decoded: 0, js: 0 };
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await ctx.newPage();
    await page.goto(`${hub.url}/wall#key=${key.key}`);
    await page.waitForFunction(
      () => document.querySelectorAll('.totals .num').length === 3 && document.querySelectorAll('.echart canvas').length >= 2,
      undefined,
      { timeout: 30_000, polling: 'raf' },
    );
    renders.push(await page.evaluate(() => performance.now()));
    wallBytes = await bytesOf(page);
    await ctx.close();
  }
  renders.sort((a, b) => a - b);
  const rows: { page: string; wireKB: number; decodedKB: number; jsKB: number; chartLib: boolean }[] = [];
  rows.push({ page: '/wall', wireKB: kb(wallBytes.wire), decodedKB: kb(wallBytes.decoded), jsKB: kb(wallBytes.js), chartLib: true });

  // Signed-in pages: bytes each loads when opened first (fresh context, signed in through the form).
  for (const path of ['/reports', '/alerts', '/events', '/console', '/admin/users', '/admin/audit']) {
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await ctx.newPage();
    await page.goto(`${hub.url}${path}`);
    await page.locator('#login-user').fill(ADMIN.username);
    await page.locator('#login-pass').fill(ADMIN.password);
    await page.locator('#login-submit').click();
    await page.locator('main.screen h1').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    const b = await bytesOf(page);
    const chartLib = (await page.evaluate(() => performance.getEntriesByType('resource').map((r: any) => r.name as string))).some(
      (n: string) => /EChart/.test(n),
    );
    rows.push({ page: path, wireKB: kb(b.wire), decodedKB: kb(b.decoded), jsKB: kb(b.js), chartLib });
    await ctx.close();
  }
  const p50 = renders[Math.floor(renders.length / 2)]!;
  console.log(
    `wall first render (navigation → figures and charts painted), ${RUNS} cold runs: p50 ${p50.toFixed(0)} ms, min ${renders[0]!.toFixed(0)} ms, max ${renders.at(-1)!.toFixed(0)} ms`,
  );
  for (const r of rows)
    console.log(
      `${r.page.padEnd(14)} ${String(r.wireKB).padStart(6)} KB over the wire · ${String(r.decodedKB).padStart(6)} KB decoded (JS ${r.jsKB} KB) · chart library ${r.chartLib ? 'loaded' : 'not loaded'}`,
    );
  console.log(
    JSON.stringify({
      bench: 'web',
      wallFirstRenderMs: { p50: Math.round(p50), min: Math.round(renders[0]!), max: Math.round(renders.at(-1)!) },
      pages: rows,
    }),
  );
} finally {
  await browser.close();
  await hub.close();
}

/** Bytes the page's own requests took: over the wire (transferSize, headers included) and decoded. */
async function bytesOf(page: import('playwright-core').Page): Promise<{ wire: number; decoded: number; js: number }> {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as any;
    const res = performance.getEntriesByType('resource') as any[];
    const same = res.filter((r) => r.name.startsWith(location.origin) && !r.name.includes('/socket.io/'));
    return {
      wire: (nav?.transferSize ?? 0) + same.reduce((a, r) => a + r.transferSize, 0),
      decoded: (nav?.decodedBodySize ?? 0) + same.reduce((a, r) => a + r.decodedBodySize, 0),
      js: same.filter((r) => r.name.endsWith('.js')).reduce((a, r) => a + r.decodedBodySize, 0),
    };
  });
}
declare const location: any;
