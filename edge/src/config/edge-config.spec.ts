import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadYamlConfig } from '../../../libs/config/src/load-yaml-config.js';
import { brokerTarget } from '../../../libs/config/src/broker-urls.js';
import { brokerUrls, EdgeConfigSchema } from './edge-config.schema.js';

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
  assert.throws(
    () => loadYamlConfig(join(dir, 'missing.yaml'), EdgeConfigSchema),
    (e: Error) => e instanceof ConfigError && /cannot read config file .*missing\.yaml/.test(e.message),
  );
  assert.throws(() => loadYamlConfig(write('broken.yaml', 'site: { id: s1\nzones: ['), EdgeConfigSchema), /not valid YAML at line \d+/);
  assert.throws(
    () => loadYamlConfig(write('url.yaml', good.replace('mqtt://127.0.0.1:1883', 'http://x')), EdgeConfigSchema),
    /mqtt\.url: mqtt\.url must start with mqtt:\/\//,
  );
  assert.throws(
    () => loadYamlConfig(write('zone.yaml', good.replace('zone: z1', 'zone: z9')), EdgeConfigSchema),
    /gates\.0\.zone: zone "z9" is not in zones/,
  );
  assert.throws(() => loadYamlConfig(write('id.yaml', good.replace('id: g1', 'id: "G/1"')), EdgeConfigSchema), /gates\.0\.id/);
  assert.throws(() => loadYamlConfig(write('extra.yaml', `${good}\ncolour: blue\n`), EdgeConfigSchema), /colour/);
});

test('mqtt.urls: the nodes of a broker cluster, handed to mqtt.js as its servers rotation; bad lists are refused by name', () => {
  const cluster = good.replace(
    'mqtt: { url: "mqtt://127.0.0.1:1883" }',
    'mqtt: { urls: ["mqtt://nats-1:1883", "mqtt://nats-2", "mqtt://[::1]:1884"] }',
  );
  const cfg = loadYamlConfig(write('urls.yaml', cluster), EdgeConfigSchema);
  assert.deepEqual(brokerUrls(cfg.mqtt), ['mqtt://nats-1:1883', 'mqtt://nats-2', 'mqtt://[::1]:1884']);
  assert.deepEqual(brokerTarget(brokerUrls(cfg.mqtt)), {
    url: 'mqtt://nats-1:1883',
    options: {
      servers: [
        { host: 'nats-1', port: 1883, protocol: 'mqtt' },
        { host: 'nats-2', port: 1883, protocol: 'mqtt' },
        { host: '::1', port: 1884, protocol: 'mqtt' },
      ],
    },
  });
  // One broker: no rotation at all.
  assert.deepEqual(brokerTarget(brokerUrls(loadYamlConfig(write('one.yaml', good), EdgeConfigSchema).mqtt)), {
    url: 'mqtt://127.0.0.1:1883',
    options: {},
  });

  const bad = (name: string, mqtt: string, re: RegExp) =>
    assert.throws(
      () => loadYamlConfig(write(name, good.replace('mqtt: { url: "mqtt://127.0.0.1:1883" }', mqtt)), EdgeConfigSchema),
      (e: Error) => e instanceof ConfigError && re.test(e.message),
      name,
    );
  bad(
    'both.yaml',
    'mqtt: { url: "mqtt://a:1883", urls: ["mqtt://b:1883", "mqtt://c:1883"] }',
    /mqtt\.url: give exactly one of mqtt\.url .* and mqtt\.urls/,
  );
  bad('neither.yaml', 'mqtt: { reconnectMs: 500 }', /mqtt\.url: give exactly one of mqtt\.url/);
  bad('single.yaml', 'mqtt: { urls: ["mqtt://a:1883"] }', /mqtt\.urls: mqtt\.urls lists at least two brokers/);
  bad('scheme.yaml', 'mqtt: { urls: ["mqtt://a:1883", "http://b:1883"] }', /mqtt\.urls\.1: mqtt\.urls must start with mqtt:\/\//);
  bad(
    'mixed.yaml',
    'mqtt: { urls: ["mqtt://a:1883", "mqtts://b:8883"] }',
    /mqtt\.urls\.1: every broker in mqtt\.urls uses one scheme \(mqtt:\/\/\), not mqtts:\/\//,
  );
  bad(
    'path.yaml',
    'mqtt: { urls: ["ws://a/mqtt", "ws://b/other"] }',
    /mqtt\.urls\.1: every broker in mqtt\.urls has the same path \(\/mqtt\), not \/other/,
  );
  bad('twice.yaml', 'mqtt: { urls: ["mqtt://a:1883", "mqtt://a:1883"] }', /mqtt\.urls\.1: mqtt:\/\/a:1883 is listed twice/);
  bad(
    'login.yaml',
    'mqtt: { urls: ["mqtt://u:p@a:1883", "mqtt://b:1883"] }',
    /mqtt\.urls\.0: mqtt\.urls: put the login in mqtt\.username\/password/,
  );
  bad('nohost.yaml', 'mqtt: { url: "mqtt://" }', /mqtt\.url: mqtt\.url: "mqtt:\/\/" (is not a URL|names no host)/);
});
