import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { stringify } from 'yaml';
import { hubConfigFromEnv } from '../../apps/hub/src/config/hub-config.js';
import { startHub, type HubApp } from '../../apps/hub/src/hub-app.js';
import type { SitesConfig } from '../../libs/contracts/src/index.js';
import { authedFetch, login, TEST_ADMIN, TEST_ADMIN_CONFIG } from '../support/hub-auth.js';

// Issue 22 in Chromium on a real hub: the IOC wall at 1920×1080 (sizes read from the browser's computed
// styles), the delivery of the web app (brotli, no source maps), the administrator's password flows and
// user deletion, and the hub's error codes shown translated in the Vietnamese UI. Screenshots:
// test/artifacts/office/.

// Run in the page by Playwright (the tests' TypeScript has no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const getComputedStyle: (e: any) => { fontSize: string };
type HTMLElement = any;

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
const SITE = 'trang-an-test';

function sitesFile(dir: string): string {
  const sites: SitesConfig = {
    sites: [
      {
        id: SITE,
        name: 'Khu du lịch Tràng An',
        kind: 'tourist',
        capacity: 12500,
        crowdWarnAt: 0.9,
        location: { lat: 20.2526, lon: 105.9164 },
        liveCameras: { roles: ['admin', 'security', 'operator'], wallKeys: true },
        zones: [
          { id: 'ben', name: 'Bến thuyền', capacity: 1500 },
          { id: 'cong', name: 'Cổng chính', capacity: 11000 },
        ],
        gates: [
          { id: 'g1', zone: 'cong', name: 'Cổng chính 1', cameras: ['cam-g1'] },
          { id: 'g2', zone: 'cong', name: 'Cổng soát vé CCCD' },
          { id: 'g3', zone: 'ben', name: 'Bến thuyền' },
        ],
      },
      {
        id: 'ga-test',
        name: 'Ga Ninh Bình',
        kind: 'station',
        zones: [{ id: 'sanh', name: 'Sảnh' }],
        gates: [{ id: 'g1', zone: 'sanh', name: 'Cổng ga' }],
      },
    ],
  } as SitesConfig;
  const path = join(dir, 'sites.yaml');
  writeFileSync(path, stringify(sites));
  return path;
}

/** Every visible element with its own text whose computed font size is under `min` px. */
const smallText = (page: Page, min: number) =>
  page.evaluate((min) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes]
        .filter((n) => n.nodeType === 3 && n.textContent!.trim())
        .map((n) => n.textContent!.trim())
        .join(' ');
      if (!own || !(el as HTMLElement).getClientRects().length) continue;
      const fs = parseFloat(getComputedStyle(el).fontSize);
      if (fs < min) out.push(`${el.tagName.toLowerCase()}.${el.className}: ${fs}px "${own.slice(0, 30)}"`);
    }
    return out;
  }, min);

test('issue 22: wall at 1920×1080, delivery, password flows and translated errors in Chromium', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-office-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const hub: HubApp = await startHub(
    hubConfigFromEnv(
      {},
      {
        port: 0,
        embeddedMqttPort: 0,
        embeddedMqttHost: '127.0.0.1',
        sitesFile: sitesFile(dir),
        sqlitePath: join(dir, 'hub.db'),
        loginLockoutThreshold: 3,
        loginLockoutBaseS: 2,
        loginRateLimit: 200,
        ...TEST_ADMIN_CONFIG,
      },
    ),
    false,
  );
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const adminToken = (await login(hub.url)).accessToken;
    const admin = authedFetch(adminToken);

    await t.test(
      'wall: 1920×1080 from 5 m — headline ≥ 96 px, nothing under 24 px, no scroll, the key’s one site in the title, numbers by locale',
      async () => {
        const key = (await (
          await admin(`${hub.url}/api/api-keys`, { method: 'POST', body: { name: 'Phòng trực', siteIds: [SITE] } })
        ).json()) as { key: string };
        const page = await browser!.newPage({ viewport: { width: 1920, height: 1080 } });
        await page.goto(`${hub.url}/wall#key=${key.key}`);
        await page.locator('.site-card').first().waitFor({ timeout: 15_000 });
        await page.waitForTimeout(500); // charts' first paint, for the screenshot
        const heads = await page.locator('.totals .num').evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
        assert.equal(heads.length, 3);
        assert.ok(
          heads.every((px) => px >= 96),
          `headline figures ${heads.join(', ')} px`,
        );
        assert.deepEqual(await smallText(page, 24), [], 'no text under 24 px');
        const size = await page.evaluate(() => ({ h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth }));
        assert.ok(size.h <= 1080 && size.w <= 1920, `the page fits the screen (${size.w}×${size.h})`);
        // The key covers one site: its name, not "the province".
        assert.match((await page.locator('.wall-head h1').textContent()) ?? '', /Khu du lịch Tràng An/);
        // No empty column: each of the three holds content down to near the bottom of the screen.
        const cols = await page.locator('.wall-col').evaluateAll((els) =>
          els.map((e) => {
            const r = e.getBoundingClientRect();
            const last = e.lastElementChild!.getBoundingClientRect();
            return [r.height, last.bottom - r.top];
          }),
        );
        assert.equal(cols.length, 3);
        for (const [h, filled] of cols) assert.ok(filled >= h - 4, `a column filled to ${filled} of ${h} px`);
        // Vietnamese: 12.500; English: 12,500 and the plural of the camera's people count.
        assert.match((await page.locator('.site-card .zone-row').first().textContent()) ?? '', /12\.500/);
        await page.screenshot({ path: `${ARTIFACTS}/wall-1920x1080-vi.png` });
        await page.locator('#lang').click();
        assert.match((await page.locator('.site-card .zone-row').first().textContent()) ?? '', /12,500/);
        assert.deepEqual(await smallText(page, 24), [], 'no text under 24 px in English either');
        await page.screenshot({ path: `${ARTIFACTS}/wall-1920x1080-en.png` });
        // A camera tile opens full screen on a click.
        await page.locator('.camera-tile').first().click();
        const full = await page.locator('.camera-tile.full').boundingBox();
        assert.ok(full && full.width === 1920 && full.height === 1080, 'the camera fills the screen');
        await page.keyboard.press('Escape');
        assert.equal(await page.locator('.camera-tile.full').count(), 0);
        // 4K: everything scales with the screen.
        await page.setViewportSize({ width: 3840, height: 2160 });
        await page.waitForTimeout(300);
        assert.deepEqual(await smallText(page, 48), [], 'no text under 48 px at 2160p');
        await page.close();
      },
    );

    await t.test('delivery: /assets/*.js in brotli to a client that accepts it, gzip otherwise, no source maps', async () => {
      const js = readdirSync(resolve('dist/web/assets')).filter((f) => f.endsWith('.js'));
      assert.ok(js.length > 3);
      assert.equal(readdirSync(resolve('dist/web/assets')).filter((f) => f.endsWith('.map')).length, 0, 'no .map in the build');
      const big = js.find((f) => f.startsWith('EChart'))!;
      const br = await fetch(`${hub.url}/assets/${big}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      assert.equal(br.headers.get('content-encoding'), 'br');
      assert.match(br.headers.get('content-type') ?? '', /javascript/);
      assert.match(br.headers.get('vary') ?? '', /accept-encoding/i);
      const body = await br.text(); // fetch decodes brotli: the script itself must come out
      assert.match(body.slice(0, 2000), /import|export|function|const/);
      const gz = await fetch(`${hub.url}/assets/${big}`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(gz.headers.get('content-encoding'), 'gzip');
      assert.equal((await gz.text()).length, body.length);
      assert.equal((await fetch(`${hub.url}/assets/${big}.map`)).status, 404);
      assert.ok(!/sourceMappingURL/.test(body), 'no source-map reference left in the script');
    });

    await t.test(
      'admin: a one-time password is changed at first sign-in; reset another’s; delete a user; five errors in Vietnamese',
      async () => {
        const ctx = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
        const page = await ctx.newPage();
        const signIn = async (user: string, pass: string) => {
          await page.locator('#login-user').fill(user);
          await page.locator('#login-pass').fill(pass);
          await page.locator('#login-submit').click();
        };
        await page.goto(`${hub.url}/admin/users`);
        // The language can be switched before signing in.
        await page.locator('#login-lang').click();
        assert.equal(await page.locator('#login h2').textContent(), 'Sign in');
        await page.locator('#login-lang').click();
        assert.equal(await page.locator('#login h2').textContent(), 'Đăng nhập');
        await signIn(TEST_ADMIN.username, TEST_ADMIN.password);
        await page.locator('table.users').waitFor();

        // Creates a manager: the message says who, not "Tạo lúc".
        const create = async (username: string, password: string) => {
          await page.locator('input[name=username]').fill(username);
          await page.locator('input[name=password]').fill(password);
          await page.locator('select[name=role]').selectOption('manager');
          await page.locator('select[name=siteIds]').selectOption(SITE);
          await page.locator('button.create-user').click();
        };
        await create('quanly1', 'mot-lan-mat-khau-1');
        await page.locator('#users-done', { hasText: 'Đã tạo người dùng “quanly1”' }).waitFor();
        // Error 1: the same username again.
        await create('quanly1', 'mot-lan-mat-khau-1');
        await page.locator('[role=alert].error', { hasText: 'Tên đăng nhập “quanly1” đã có' }).waitFor();
        await create('quanly2', 'mot-lan-mat-khau-2');
        await page.locator('tr[data-user="quanly2"]').waitFor();
        // Error 2: an admin may not demote themselves.
        await page.locator('tr[data-user="admin"] select').selectOption('manager');
        await page.locator('[role=alert].error', { hasText: 'Không thể xoá hoặc khoá chính tài khoản đang đăng nhập' }).waitFor();

        // Reset quanly2's password: a one-time password shown once.
        page.once('dialog', (d) => void d.accept());
        await page.locator('tr[data-user="quanly2"] button.reset-password').click();
        const oneTime = ((await page.locator('#one-time-password code').textContent()) ?? '').trim();
        assert.ok(oneTime.length >= 16, 'a one-time password is shown');
        const reset = await login(hub.url, 'quanly2', oneTime);
        assert.equal(reset.user.name, 'quanly2', 'the reset password signs in');
        // Error 3: resetting a user deleted meanwhile (elsewhere).
        const users = (await (await admin(`${hub.url}/api/users`)).json()) as { id: number; username: string }[];
        assert.equal(
          (await admin(`${hub.url}/api/users/${users.find((u) => u.username === 'quanly2')!.id}`, { method: 'DELETE' })).status,
          204,
        );
        page.once('dialog', (d) => void d.accept());
        await page.locator('tr[data-user="quanly2"] button.reset-password').click();
        await page.locator('[role=alert].error', { hasText: 'Không tìm thấy người dùng' }).waitFor();
        assert.equal(await login(hub.url, 'quanly2', oneTime).catch(() => null), null, 'a deleted user cannot sign in');
        await page.screenshot({ path: `${ARTIFACTS}/admin-users.png`, fullPage: true });

        // Delete from the UI: gone from the list, and from the audit trail's point of view recorded.
        await create('tamthoi', 'tam-thoi-mat-khau-1');
        await page.locator('tr[data-user="tamthoi"]').waitFor();
        page.once('dialog', (d) => void d.accept());
        await page.locator('tr[data-user="tamthoi"] button.delete-user').click();
        await page.locator('#users-done', { hasText: 'Đã xoá người dùng “tamthoi”' }).waitFor();
        await page.locator('tr[data-user="tamthoi"]').waitFor({ state: 'detached', timeout: 5000 });
        const audit = (await (await admin(`${hub.url}/api/audit?action=user.delete`)).json()) as {
          action: string;
          detail: { username?: string } | string;
        }[];
        assert.ok(
          audit.some((a) => JSON.stringify(a.detail).includes('tamthoi')),
          'the deletion is audited',
        );

        // quanly1 signs in with the one-time password: asked for a new one before anything else.
        await page.locator('#logout').click();
        await page.locator('#login-user').waitFor();
        // Error 4: lockout says when to retry (three failures lock this test hub).
        for (let i = 0; i < 3; i++) {
          await signIn('quanly1', 'khong-dung-mat-khau');
          await page.locator('#login-error', { hasText: /Sai tên đăng nhập/ }).waitFor();
          await page.locator('#login-error').evaluate((e) => (e.textContent = ''));
        }
        await signIn('quanly1', 'mot-lan-mat-khau-1');
        await page
          .locator('#login-error', { hasText: /Đăng nhập sai quá nhiều lần\. Thử lại sau \d+ giây \(lúc \d\d:\d\d:\d\d\)/ })
          .waitFor();
        await page.screenshot({ path: `${ARTIFACTS}/login-locked.png` });
        // The lock lasts loginLockoutBaseS (2 s here); meanwhile an admin resets the password (a new one-time one).
        const q1 = ((await (await admin(`${hub.url}/api/users`)).json()) as { id: number; username: string }[]).find(
          (u) => u.username === 'quanly1',
        )!;
        assert.equal(
          (await admin(`${hub.url}/api/users/${q1.id}`, { method: 'PATCH', body: { password: 'mot-lan-mat-khau-3' } })).status,
          200,
        );
        await page.waitForTimeout(2500);
        await page.reload();
        await signIn('quanly1', 'mot-lan-mat-khau-3');
        await page.locator('#change-password').waitFor({ timeout: 10_000 });
        assert.match((await page.locator('#change-password').textContent()) ?? '', /mật khẩu một lần/);
        // Error 5: the current password wrong.
        await page.locator('#pw-current').fill('sai-mat-khau-hien-tai');
        await page.locator('#pw-new').fill('mat-khau-rieng-cua-toi');
        await page.locator('#pw-again').fill('mat-khau-rieng-cua-toi');
        await page.locator('#pw-submit').click();
        await page.locator('#pw-error', { hasText: 'Mật khẩu hiện tại không đúng' }).waitFor();
        await page.screenshot({ path: `${ARTIFACTS}/change-password-forced.png` });
        await page.locator('#pw-current').fill('mot-lan-mat-khau-3');
        await page.locator('#pw-submit').click();
        await page.locator('#change-password').waitFor({ state: 'hidden', timeout: 10_000 });
        await page.locator('section.reports').waitFor({ timeout: 10_000 });
        // The one-time password no longer works; the new one does, without the forced form.
        assert.equal(await login(hub.url, 'quanly1', 'mot-lan-mat-khau-3').catch(() => null), null);
        assert.equal((await login(hub.url, 'quanly1', 'mat-khau-rieng-cua-toi')).user.name, 'quanly1');
        const me = (await (
          await authedFetch((await login(hub.url, 'quanly1', 'mat-khau-rieng-cua-toi')).accessToken)(`${hub.url}/api/auth/me`)
        ).json()) as { mustChangePassword: boolean };
        assert.equal(me.mustChangePassword, false);
        await ctx.close();
      },
    );
  } finally {
    await browser?.close();
    await hub.close();
  }
});
