import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { GateCommandAckSchema } from '../../libs/contracts/src/index.js';
import { startEdge, type EdgeApp } from '../../edge/src/edge-app.js';
import { GateLanesService } from '../../edge/src/gate/gate-lanes.service.js';
import { EdgeJsonLogger } from '../../edge/src/observability/edge-json-logger.js';
import { laneSite } from '../gate/gate-rig.js';
import { credentialedEdgeConfig, login, TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { freePort } from '../support/ports.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';

test(
  'LOG_FORMAT=json: one JSON object per line with service and instance; a request id echoed and bound to its lines; no credentials logged',
  { timeout: 60_000 },
  async () => {
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
      const given = await fetch(`${hub.url}/api/sites`, {
        headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': 'ioc-wall-42' },
      });
      assert.equal(given.status, 200);
      assert.equal(given.headers.get('x-request-id'), 'ioc-wall-42');
      const made = await fetch(`${hub.url}/api/sites`, {
        headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': 'bad id with spaces' },
      });
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
      assert.ok(
        parsed.some((p) => typeof p.msg === 'string' && /Nest application successfully started/.test(p.msg as string)),
        'Nest lines go through pino too',
      );
    } finally {
      await hub.stop();
    }
  },
);

test(
  "LOG_FORMAT=json across the fleet: an operator's open has its request id and command id on the hub's line, and the same command id on the gate's line",
  { timeout: 90_000 },
  async () => {
    // Station lanes check ID numbers: they start only with the hub's ID-number HMAC key.
    process.env.CG_ID_HMAC_KEY ??= randomBytes(32).toString('base64');
    const site = laneSite('station', 1);
    const mqttPort = await freePort();
    const hub = new HubProcess({
      LOG_FORMAT: 'json',
      HUB_INSTANCE_ID: 'hub-log-cmd',
      SQLITE_PATH: `${site.dir}/hub.db`,
      HUB_DATA_KEY_FILE: `${site.dir}/keys.json`,
      HUB_SITES_FILE: site.sitesFile,
      EMBEDDED_MQTT_PORT: String(mqttPort),
      EMBEDDED_MQTT_HOST: '127.0.0.1',
      ...TEST_ADMIN_ENV,
    });
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(...String(chunk).split('\n').filter(Boolean)), cb()) });
    let edge: EdgeApp | undefined;
    try {
      await hub.start();
      const cfg = await credentialedEdgeConfig(hub.url, site.edgeConfig(`mqtt://127.0.0.1:${mqttPort}`, { g1: [{ id: 'l1' }] }, []));
      edge = await startEdge(cfg, new EdgeJsonLogger(cfg, { level: 'info', destination: sink }), { shutdownHooks: false });
      await waitFor(() => edge!.ctx.get(GateLanesService).listensForCommands('g1'), Boolean, 20_000, 'gate subscribed to its commands');

      const token = (await login(hub.url)).accessToken;
      const res = await fetch(`${hub.url}/api/gate-control/open`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': 'ops-desk-7' },
        body: JSON.stringify({ siteId: site.siteId, gateId: 'g1', laneId: 'l1', reason: 'khách quên vé' }),
      });
      assert.equal(res.status, 202);
      const { commandId } = GateCommandAckSchema.parse(await res.json());

      // The hub: the command's line carries the operator's request id.
      const hubLines = await waitFor(
        () =>
          hub.log
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        (ls) => ls.some((p) => p.commandId === commandId),
        5000,
        'the command logged on the hub',
      );
      const sent = hubLines.find((p) => p.commandId === commandId)!;
      assert.equal(sent.requestId, 'ops-desk-7');
      assert.equal(sent.gateId, 'g1');
      assert.equal(sent.laneId, 'l1');
      // The gate: the same command id on the line where it acts on it.
      const edgeLine = await waitFor(
        () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((p) => p.commandId === commandId),
        (p) => p !== undefined,
        10_000,
        'the command logged on the gate',
      );
      assert.equal(edgeLine!.context, 'Gate');
      assert.equal(edgeLine!.gateId, 'g1');
      assert.equal(edgeLine!.laneId, 'l1');
      assert.equal(edgeLine!.service, 'cong-ai-edge');
      assert.match(String(edgeLine!.msg), /open_gate by /);
    } finally {
      await edge?.close();
      await hub.stop();
    }
  },
);
