import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { HubConfig } from '../config/hub-config.js';
import { hubEntities } from './entities/index.js';
import { hubMigrations } from './migrations/index.js';

/** SQLite file by default, PostgreSQL when DATABASE_URL is set; schema only through migrations. */
export function dataSourceOptions(cfg: HubConfig): DataSourceOptions {
  const common = { entities: hubEntities, migrations: hubMigrations, migrationsRun: true, synchronize: false, logging: false } as const;
  if (cfg.databaseUrl) return { ...common, type: 'postgres', url: cfg.databaseUrl, extra: { max: 10 } };
  if (cfg.sqlitePath !== ':memory:') mkdirSync(dirname(cfg.sqlitePath), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: cfg.sqlitePath,
    enableWAL: true,
    statementCacheSize: 200,
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
    },
  };
}
