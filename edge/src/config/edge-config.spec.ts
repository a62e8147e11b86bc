import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadYamlConfig } from '../../../libs/config/src/load-yaml-config.js';
import { EdgeConfigSchema } from './edge-config.schema.js';

const dir = mkdtempSync(join(tmpdir(), 'cg-edgecfg-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const good = `
site: { id: s1, name: Site, kind: station }
mqtt: { url: "mqtt://127.0.0.1:1883" }
zones: [{ id: z1, name: Zone }]
gates: [{ id: g1, zone: z1, name: Gate }]
`;

test('a valid edge config loads with defaults filled in', () => {
  const cfg = loadYamlConfig(write('good.yaml', good), EdgeConfigSchema);
  assert.equal(cfg.outbox.synchronous, 'FULL');
  assert.equal(cfg.gates[0]!.cameras.length, 0);
});

test('bad config files fail with a message that names the file and the problem', () => {
  assert.throws(() => loadYamlConfig(join(dir, 'missing.yaml'), EdgeConfigSchema), (e: Error) => e instanceof ConfigError && /cannot read config file .*missing\.yaml/.test(e.message));
  assert.throws(() => loadYamlConfig(write('broken.yaml', 'site: { id: s1\nzones: ['), EdgeConfigSchema), /not valid YAML at line \d+/);
  assert.throws(() => loadYamlConfig(write('url.yaml', good.replace('mqtt://127.0.0.1:1883', 'http://x')), EdgeConfigSchema), /mqtt\.url: mqtt\.url must start with mqtt:\/\//);
  assert.throws(() => loadYamlConfig(write('zone.yaml', good.replace('zone: z1', 'zone: z9')), EdgeConfigSchema), /gates\.0\.zone: zone "z9" is not in zones/);
  assert.throws(() => loadYamlConfig(write('id.yaml', good.replace('id: g1', 'id: "G/1"')), EdgeConfigSchema), /gates\.0\.id/);
  assert.throws(() => loadYamlConfig(write('extra.yaml', `${good}\ncolour: blue\n`), EdgeConfigSchema), /colour/);
});
