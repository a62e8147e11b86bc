import assert from 'node:assert/strict';
import { test } from 'node:test';
import { login, TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';

test('LOG_FORMAT=json: one JSON object per line with service and instance; a request id echoed and bound to its lines; no credentials logged', { timeout: 60_000 }, async () => {
  const site = testSite('log');
  const hub = new HubProcess({
    LOG_FORMAT: 'json',
    HUB_INSTANCE_ID: 'hub-log-test',
    SQLITE_PATH: `${site.dir}/hub.db`,
    HUB_SITES_FILE: site.sitesFile,
    EMBEDDED_MQTT_PORT: '0',
    ...TEST_ADMIN_ENV,
  });
  try {
    await hub.start();
    const { accessToken } = await login(hub.url);
    const given = await fetch(`${hub.url}/api/sites`, { headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': 'ioc-wall-42' } });
    assert.equal(given.status, 200);
    assert.equal(given.headers.get('x-request-id'), 'ioc-wall-42');
    const made = await fetch(`${hub.url}/api/sites`, { headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': 'bad id with spaces' } });
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'a malformed id is replaced');

    const lines = await waitFor(
      () => hub.log.split('\n').filter((l) => l.trim()),
      (ls) => ls.some((l) => l.includes('ioc-wall-42')),
      5000,
      'request logged',
    );
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const p of parsed) {
      assert.equal(p.service, 'cong-ai-hub');
      assert.equal(p.instance, 'hub-log-test');
      assert.equal(typeof p.level, 'number');
    }
    const req = parsed.find((p) => p.requestId === 'ioc-wall-42');
    assert.ok(req, 'a line with the request id');
    assert.equal((req.req as { id: string }).id, 'ioc-wall-42');
    assert.equal((req.res as { statusCode: number }).statusCode, 200);
    assert.ok(!hub.log.includes(accessToken), 'the bearer token is redacted');
    assert.ok(parsed.some((p) => typeof p.msg === 'string' && /Nest application successfully started/.test(p.msg as string)), 'Nest lines go through pino too');
  } finally {
    await hub.stop();
  }
});
