import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { authedJson, login, TEST_ADMIN_CONFIG } from '../../../../../test/support/hub-auth.js';
import { facePhoto, multiFacePhoto, noFacePhoto, twoSites } from '../../../../../test/support/watchlist-fixtures.js';
import type { WatchlistImportRow, WatchlistPage } from '../../../../../libs/contracts/src/index.js';
import { hubConfigFromEnv } from '../../config/hub-config.js';
import { startHub } from '../../hub-app.js';
import { importWatchlist } from './import-watchlist.js';

test('bulk import from CSV + zip: good rows imported, bad rows reported with their reason', { timeout: 120_000 }, async () => {
  const s = twoSites('i');
  const photos = join(s.dir, 'photos');
  mkdirSync(photos);
  writeFileSync(join(photos, 'a1.jpg'), facePhoto('df03/1.jpg'));
  writeFileSync(join(photos, 'b1.jpg'), facePhoto('df04/1.jpg'));
  writeFileSync(join(photos, 'b2.jpg'), facePhoto('df04/2.jpg'));
  writeFileSync(join(photos, 'group.jpg'), multiFacePhoto());
  writeFileSync(join(photos, 'wall.jpg'), await noFacePhoto());
  const zip = join(s.dir, 'photos.zip');
  execFileSync('python3', ['-m', 'zipfile', '-c', zip, 'a1.jpg', 'b1.jpg', 'b2.jpg', 'group.jpg', 'wall.jpg'], { cwd: photos });
  const csv = join(s.dir, 'list.csv');
  writeFileSync(
    csv,
    [
      'full_name,id_number,reason,severity,list_kind,valid_from,valid_until,source,photos',
      'Trần Thị B,001199000001,Truy nã,critical,watchlist,2026-01-01,,C06,a1.jpg',
      'Lê Văn C,001199000002,Nhà thầu,low,allowlist,,2030-12-31,KCN,b1.jpg;b2.jpg',
      'Số Sai,12345,x,high,watchlist,,,,a1.jpg',
      'Không Ảnh,001199000004,x,high,watchlist,,,,missing.jpg',
      'Nhóm,001199000005,x,high,watchlist,,,,group.jpg',
      'Tường,001199000006,x,urgent,watchlist,,,,wall.jpg',
      'Tường 2,001199000007,x,high,watchlist,,,,wall.jpg',
    ].join('\n'),
  );
  const hub = await startHub(
    hubConfigFromEnv(
      {},
      {
        port: 0,
        embeddedMqttPort: 0,
        embeddedMqttHost: '127.0.0.1',
        sitesFile: s.sitesFile,
        sqlitePath: `${s.dir}/hub.db`,
        dataKeyFile: `${s.dir}/keys.json`,
        jwtSecretFile: `${s.dir}/jwt.key`,
        retentionIntervalMin: 0,
        ...TEST_ADMIN_CONFIG,
      },
    ),
    false,
  );
  try {
    const token = (await login(hub.url)).accessToken;
    const progress: number[] = [];
    const report = await importWatchlist({
      hubUrl: hub.url,
      token,
      siteId: s.a,
      csvPath: csv,
      photosPath: zip,
      onRow: (done) => progress.push(done),
    });
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(report.imported, 2);
    assert.equal(report.rejected, 5);
    const by = new Map<number, WatchlistImportRow>(report.rows.map((r) => [r.row, r]));
    assert.equal(by.get(2)!.status, 'imported');
    assert.equal(by.get(3)!.status, 'imported');
    assert.match(by.get(4)!.reason!, /idNumber must be the 12-digit CCCD number/);
    assert.match(by.get(5)!.reason!, /photo not found: missing\.jpg/);
    assert.match(by.get(6)!.reason!, /group\.jpg: \d faces in the photo/);
    assert.match(by.get(7)!.reason!, /severity/);
    assert.match(by.get(8)!.reason!, /wall\.jpg: no face found/);

    const page = await authedJson(token)<WatchlistPage>(`${hub.url}/api/sites/${s.a}/watchlist`);
    assert.equal(page.total, 2);
    const allow = page.items.find((i) => i.listKind === 'allowlist')!;
    assert.equal(allow.templateCount, 2);
    assert.equal(allow.validUntil, '2030-12-30T17:00:00.000Z');

    // The same from a folder.
    const again = await importWatchlist({ hubUrl: hub.url, token, siteId: s.b, csvPath: csv, photosPath: photos });
    assert.equal(again.imported, 2);
  } finally {
    await hub.close();
  }
});
