import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { hubConfigFromEnv } from '../config/hub-config.js';
import { startHub } from '../hub-app.js';
import { TEST_ADMIN_CONFIG } from '../../../../test/support/hub-auth.js';
import { testSite } from '../../../../test/support/test-site.js';
import { AuditService } from './audit.service.js';

test(
  'audit writes: 500 identical camera views in a burst are one row (repeats counted), distinct subjects are each written',
  { timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-audit-'));
    const site = testSite('au');
    const hub = await startHub(
      hubConfigFromEnv(
        {},
        {
          port: 0,
          embeddedMqttPort: 0,
          embeddedMqttHost: '127.0.0.1',
          sitesFile: site.sitesFile,
          sqlitePath: join(dir, 'hub.db'),
          jwtSecretFile: join(dir, 'jwt.key'),
          dataKeyFile: join(dir, 'keys.json'),
          ...TEST_ADMIN_CONFIG,
        },
      ),
      false,
    );
    try {
      const audit = hub.app.get(AuditService);
      const db = hub.app.get(DataSource);
      const view = (cam: string) =>
        audit.record({
          actor: 'op-cam',
          action: 'camera.view',
          subjectType: 'camera',
          subjectId: `g1/${cam}`,
          siteId: site.siteId,
          detail: { gateId: 'g1', cameraId: cam },
        });
      const t0 = Date.now();
      for (let i = 0; i < 500; i++) await view('cam-1');
      for (const cam of ['cam-2', 'cam-3', 'cam-4']) await view(cam);
      const rows = (await db.query(`SELECT subject_id AS s FROM audit_log WHERE action = 'camera.view' ORDER BY id`)) as { s: string }[];
      assert.ok(Date.now() - t0 < 10_000, 'the burst fits in one coalescing window');
      assert.deepEqual(
        rows.map((r) => r.s),
        ['g1/cam-1', 'g1/cam-2', 'g1/cam-3', 'g1/cam-4'],
      );
    } finally {
      await hub.close();
    }
  },
);

test(
  'audit writes: a burst still being counted when the hub shuts down is written at shutdown (rows + repeats = every view)',
  { timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-audit-'));
    const site = testSite('as');
    const sqlitePath = join(dir, 'hub.db');
    const hub = await startHub(
      hubConfigFromEnv(
        {},
        {
          port: 0,
          embeddedMqttPort: 0,
          embeddedMqttHost: '127.0.0.1',
          sitesFile: site.sitesFile,
          sqlitePath,
          jwtSecretFile: join(dir, 'jwt.key'),
          dataKeyFile: join(dir, 'keys.json'),
          ...TEST_ADMIN_CONFIG,
        },
      ),
      false,
    );
    let closed = false;
    try {
      const audit = hub.app.get(AuditService);
      const view = (cam: string) =>
        audit.record({
          actor: 'op-cam',
          action: 'camera.view',
          subjectType: 'camera',
          subjectId: `g1/${cam}`,
          siteId: site.siteId,
          detail: { gateId: 'g1', cameraId: cam },
        });
      for (let i = 0; i < 300; i++) await view('cam-1');
      for (let i = 0; i < 7; i++) await view('cam-2');
      await view('cam-3');
      await hub.close();
      closed = true;
    } finally {
      if (!closed) await hub.close();
    }
    const db = new Database(sqlitePath, { readonly: true });
    try {
      const rows = db.prepare(`SELECT subject_id AS s, detail_json AS d FROM audit_log WHERE action = 'camera.view' ORDER BY id`).all() as {
        s: string;
        d: string | null;
      }[];
      const total = (cam: string) =>
        rows
          .filter((r) => r.s === `g1/${cam}`)
          .reduce((n, r) => n + 1 + Number((JSON.parse(r.d ?? '{}') as { repeats?: number }).repeats ?? 0), 0);
      assert.deepEqual(
        { 'cam-1': total('cam-1'), 'cam-2': total('cam-2'), 'cam-3': total('cam-3') },
        { 'cam-1': 300, 'cam-2': 7, 'cam-3': 1 },
      );
      assert.equal(rows.filter((r) => r.s === 'g1/cam-3').length, 1, 'a single view gets no extra row at shutdown');
      assert.ok(rows.length <= 5, `a burst is still a few rows, not one per view (${rows.length})`);
    } finally {
      db.close();
    }
  },
);
