import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SitesConfig } from '../../libs/contracts/src/index.js';
import { hubConfigFromEnv, type HubConfig } from '../../apps/hub/src/config/hub-config.js';
import { startHub, type HubApp } from '../../apps/hub/src/hub-app.js';
import { TEST_ADMIN_CONFIG } from './hub-auth.js';

/** A hub (embedded broker) with two sites, A and B, for tests of who sees which site. */
export async function startTwoSiteHub(
  overrides: Partial<HubConfig> = {},
): Promise<{ hub: HubApp; siteA: string; siteB: string; dir: string }> {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const siteA = `a-${tag}`;
  const siteB = `b-${tag}`;
  const dir = mkdtempSync(join(tmpdir(), 'cg-auth-'));
  const site = (id: string, name: string) => ({
    id,
    name,
    kind: 'station' as const,
    zones: [{ id: 'sanh', name: 'Sảnh' }],
    gates: [
      { id: 'g1', zone: 'sanh', name: 'Cổng 1' },
      { id: 'g2', zone: 'sanh', name: 'Cổng 2' },
    ],
  });
  const sites: SitesConfig = { sites: [site(siteA, 'Ga A'), site(siteB, 'Ga B')] };
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
        jwtSecretFile: join(dir, 'jwt.key'),
        ...TEST_ADMIN_CONFIG,
        ...overrides,
      },
    ),
    false,
  );
  return { hub, siteA, siteB, dir };
}
