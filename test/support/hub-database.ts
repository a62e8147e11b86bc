import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { hubConfigFromEnv, type HubConfig } from '../../apps/hub/src/config/hub-config.js';
import { dataSourceOptions } from '../../apps/hub/src/database/data-source-options.js';

/** A migrated hub database without the hub around it (SQLite in a temp dir, or `databaseUrl`). */
export async function openTestHubDatabase(
  databaseUrl?: string,
  overrides: Partial<HubConfig> = {},
): Promise<{ cfg: HubConfig; db: DataSource; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-hubdb-'));
  const cfg = hubConfigFromEnv(
    {},
    { sqlitePath: join(dir, 'hub.db'), databaseUrl, dataKeyFile: join(dir, 'keys.json'), retentionIntervalMin: 0, ...overrides },
  );
  const db = new DataSource(dataSourceOptions(cfg));
  await db.initialize();
  return { cfg, db, dir };
}
