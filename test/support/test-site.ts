import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SitesConfig } from '../../libs/contracts/src/index.js';
import type { EdgeConfig } from '../../edge/src/config/edge-config.schema.js';
import { EdgeConfigSchema } from '../../edge/src/config/edge-config.schema.js';

/** A unique site per test run, so retained messages and broker sessions of other runs never mix in. */
export function testSite(prefix = 't') {
  const siteId = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const dir = mkdtempSync(join(tmpdir(), 'cg-test-'));
  const sites: SitesConfig = {
    sites: [
      {
        id: siteId,
        name: 'Ga Hà Nội (test)',
        kind: 'station',
        zones: [
          { id: 'sanh-a', name: 'Sảnh A' },
          { id: 'sanh-b', name: 'Sảnh B' },
        ],
        gates: [
          { id: 'g1', zone: 'sanh-a', name: 'Cổng 1' },
          { id: 'g2', zone: 'sanh-a', name: 'Cổng 2' },
          { id: 'g3', zone: 'sanh-b', name: 'Cổng 3' },
        ],
      },
    ],
  };
  const sitesFile = join(dir, 'sites.yaml');
  writeFileSync(sitesFile, stringify(sites));
  /** One broker URL, or the nodes of a cluster (`mqtt.urls`). */
  const edgeConfig = (mqttUrl: string | string[], extra: Partial<EdgeConfig> = {}): EdgeConfig =>
    EdgeConfigSchema.parse({
      site: { id: siteId, name: 'Ga Hà Nội (test)', kind: 'station' },
      agent: { id: 'edge-test' },
      mqtt: typeof mqttUrl === 'string' ? { url: mqttUrl, reconnectMs: 200 } : { urls: mqttUrl, reconnectMs: 200 },
      outbox: { path: join(dir, `outbox-${Math.random().toString(36).slice(2)}.db`), synchronous: 'NORMAL' },
      zones: sites.sites[0]!.zones,
      gates: sites.sites[0]!.gates.map((g) => ({ id: g.id, zone: g.zone, name: g.name })),
      statusIntervalMs: 1000,
      ...extra,
    });
  return { siteId, dir, sitesFile, edgeConfig };
}
