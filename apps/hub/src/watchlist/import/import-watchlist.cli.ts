import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { importWatchlist } from './import-watchlist.js';

/**
 * npm run hub:import-watchlist -- --site X --csv list.csv --photos dir|photos.zip [--hub URL] [--report out.json]
 * Credentials: HUB_TOKEN, or HUB_USERNAME + HUB_PASSWORD (a security or admin user of the site).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      site: { type: 'string' },
      csv: { type: 'string' },
      photos: { type: 'string' },
      hub: { type: 'string' },
      report: { type: 'string' },
    },
  });
  if (!values.site || !values.csv || !values.photos)
    throw new Error(
      'usage: hub:import-watchlist -- --site <siteId> --csv <file.csv> --photos <dir|file.zip> [--hub http://127.0.0.1:3000]',
    );
  const hubUrl = values.hub ?? process.env.HUB_URL ?? 'http://127.0.0.1:3000';
  let token = process.env.HUB_TOKEN;
  if (!token) {
    const { HUB_USERNAME: username, HUB_PASSWORD: password } = process.env;
    if (!username || !password) throw new Error('set HUB_TOKEN, or HUB_USERNAME and HUB_PASSWORD');
    const res = await fetch(`${hubUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(`login failed: ${res.status}`);
    token = ((await res.json()) as { accessToken: string }).accessToken;
  }
  const bar = new cliProgress.SingleBar(
    { format: 'import [{bar}] {value}/{total} rows | {imported} imported, {rejected} rejected' },
    cliProgress.Presets.shades_classic,
  );
  let imported = 0;
  let rejected = 0;
  const report = await importWatchlist({
    hubUrl,
    token,
    siteId: values.site,
    csvPath: values.csv,
    photosPath: values.photos,
    onRow: (done, total, row) => {
      if (done === 1) bar.start(total, 0, { imported, rejected });
      if (row.status === 'imported') imported++;
      else rejected++;
      bar.update(done, { imported, rejected });
    },
  });
  bar.stop();
  for (const r of report.rows)
    if (r.status === 'rejected' || r.reason) console.log(`row ${r.row}: ${r.status}${r.reason ? ` — ${r.reason}` : ''}`);
  console.log(`${report.imported} imported, ${report.rejected} rejected`);
  if (values.report) (await import('node:fs')).writeFileSync(values.report, JSON.stringify(report, null, 2));
  process.exitCode = report.rejected ? 2 : 0;
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
