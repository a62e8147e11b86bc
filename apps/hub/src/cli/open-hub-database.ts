import { DataSource } from 'typeorm';
import { hubConfigFromEnv, type HubConfig } from '../config/hub-config.js';
import { dataSourceOptions } from '../database/data-source-options.js';

/** The hub's database for a command-line tool (same env as the hub; migrations applied). */
export async function openHubDatabase(): Promise<{ cfg: HubConfig; db: DataSource }> {
  const cfg = hubConfigFromEnv();
  const db = new DataSource(dataSourceOptions(cfg));
  await db.initialize();
  return { cfg, db };
}
