import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import mqtt from 'mqtt';
import { TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { freePort } from '../support/ports.js';
import { testSite } from '../support/test-site.js';

let hub: HubProcess | null = null;
after(async () => hub?.stop());

test('200 refused MQTT logins on the embedded broker: a few WARN lines with counts, not one line each', { timeout: 90_000 }, async () => {
  const site = testSite('ml');
  const port = await freePort();
  hub = new HubProcess({
    SQLITE_PATH: `${site.dir}/hub.db`,
    HUB_SITES_FILE: site.sitesFile,
    EMBEDDED_MQTT_PORT: String(port),
    LOG_LEVEL: 'warn',
    ...TEST_ADMIN_ENV,
  });
  await hub.start();
  const t0 = Date.now();
  for (let i = 0; i < 200; i++)
    await assert.rejects(
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        username: `gate.x.g${i}`,
        password: 'wrong',
        clientId: `gate.x.g${i}`,
        protocolVersion: 4,
        reconnectPeriod: 0,
      }),
      /Not authorized|Bad username/,
    );
  const secs = (Date.now() - t0) / 1000;
  const lines = hub.log.split('\n').filter((l) => l.includes('MQTT login refused'));
  assert.ok(lines.length >= 1 && lines.length <= Math.ceil(secs) + 1, `${lines.length} lines over ${secs.toFixed(1)} s`);
  // The refusals after a line are told by the next one ("+N more refused since the last line").
  if (lines.length > 1) assert.match(lines[1]!, /\(\+\d+ more refused since the last line\)/);
});
