import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEdge, type EdgeApp } from '../../edge/src/edge-app.js';
import { GateLanesService } from '../../edge/src/gate/gate-lanes.service.js';
import type { HubApp } from '../../apps/hub/src/hub-app.js';
import { credentialedEdgeConfig, login } from '../support/hub-auth.js';
import { waitFor } from '../support/wait-for.js';
import { HubWatch, laneSite, startLaneHub } from './gate-rig.js';

/**
 * Without the hub's ID-number HMAC key an edge cannot match an ID number against the watchlist, so a
 * lane that checks ID numbers would let every wanted person through. Such lanes do not start (and say
 * why on the console); a count-only lane of the same edge runs. A malformed key or a key file other
 * users can read stops the agent with the reason.
 */
test(
  'no ID-number HMAC key → identity lanes refused (fault on the console), count-only lanes run; bad keys stop the agent',
  { timeout: 90_000 },
  async () => {
    const site = laneSite('station', 1);
    const hub: HubApp = await startLaneHub(site);
    let edge: EdgeApp | undefined;
    let watch: HubWatch | undefined;
    const saved = process.env.CG_ID_HMAC_KEY;
    delete process.env.CG_ID_HMAC_KEY;
    try {
      watch = await HubWatch.open(hub.url, (await login(hub.url)).accessToken, site.siteId);
      const lanes = {
        g1: [
          { id: 'l1' }, // a station lane: CCCD chip or VNeID QR, checked by ID number
          { id: 'l2', policy: { kind: 'tourist' as const } }, // counts people, no identity
        ],
      };
      const cfg = await credentialedEdgeConfig(hub.url, site.edgeConfig(`mqtt://127.0.0.1:${hub.mqttPort}`, lanes, []));

      edge = await startEdge(cfg, false);
      const svc = edge.ctx.get(GateLanesService);
      assert.equal(svc.lane('g1', 'l1'), undefined, 'the station lane is not started without the key');
      assert.ok(svc.lane('g1', 'l2'), 'the count-only lane runs');
      const fault = await waitFor(
        () => watch!.laneStates.find((s) => s.laneId === 'l1'),
        (s) => s !== undefined,
        10_000,
        'l1 fault on the console',
      );
      assert.equal(fault!.phase, 'fault');
      assert.deepEqual(fault!.reasons, ['id_hmac_key_missing']);
      await edge.close();
      edge = undefined;

      // A key that cannot be the hub's (wrong size) stops the agent instead of matching nothing.
      process.env.CG_ID_HMAC_KEY = randomBytes(16).toString('base64');
      await assert.rejects(startEdge(cfg, false), /CG_ID_HMAC_KEY must be the hub's HUB_ID_HMAC_KEY: base64 of 32 bytes/);
      delete process.env.CG_ID_HMAC_KEY;

      // A key file others can read is refused; mode 600 is taken.
      const keyFile = join(site.dir, 'id-hmac.key');
      writeFileSync(keyFile, randomBytes(32).toString('base64'));
      chmodSync(keyFile, 0o644);
      const withFile = { ...cfg, gate: { ...cfg.gate, idHmacKeyFile: keyFile } };
      await assert.rejects(startEdge(withFile, false), /readable by other users \(mode 644\): chmod 600 it/);
      chmodSync(keyFile, 0o600);
      edge = await startEdge(withFile, false);
      assert.ok(edge.ctx.get(GateLanesService).lane('g1', 'l1'), 'with the key the station lane starts');
      assert.ok(edge.ctx.get(GateLanesService).lane('g1', 'l2'));
    } finally {
      if (saved === undefined) delete process.env.CG_ID_HMAC_KEY;
      else process.env.CG_ID_HMAC_KEY = saved;
      watch?.close();
      await edge?.close();
      await hub.close();
    }
  },
);
