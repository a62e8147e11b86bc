import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { DataSource } from 'typeorm';
import { v7 } from 'uuid';
import { stringify } from 'yaml';
import { topics, type GateStatus, type LaneState, type SitesConfig } from '../../../../libs/contracts/src/index.js';
import { authedFetch, issueGateCredentials, login, TEST_ADMIN_CONFIG } from '../../../../test/support/hub-auth.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { hubConfigFromEnv } from '../config/hub-config.js';
import { startHub } from '../hub-app.js';
import { UNLISTED_DEVICE_LIMIT } from './site-registry.service.js';

async function runIdentifiers(databaseUrl?: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-ids-'));
  const siteId = `ids-${Date.now().toString(36)}`;
  const sites: SitesConfig = {
    sites: [
      {
        id: siteId,
        name: 'Nhà máy',
        kind: 'industrial',
        zones: [{ id: 'z', name: 'Cổng chính' }],
        gates: [
          { id: 'g1', zone: 'z', name: 'Cổng 1', lanes: ['l1', 'l2'], cameras: ['cam1'] },
          { id: 'g2', zone: 'z', name: 'Cổng 2' },
        ],
      },
    ],
  };
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
        databaseUrl,
        jwtSecretFile: join(dir, 'jwt.key'),
        dataKeyFile: join(dir, 'keys.json'),
        ...TEST_ADMIN_CONFIG,
      },
    ),
    false,
  );
  const clients: mqtt.MqttClient[] = [];
  try {
    const adminToken = (await login(hub.url)).accessToken;
    const admin = authedFetch(adminToken);
    const creds = await issueGateCredentials(hub.url, adminToken, siteId, ['g1', 'g2']);
    const gate = async (gateId: string) => {
      const c = creds.get(gateId)!;
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
        username: c.username,
        password: c.password,
        clientId: c.username,
        protocolVersion: 4,
      });
      clients.push(client);
      return client;
    };
    const g1 = await gate('g1');
    const g2 = await gate('g2');
    const db = hub.app.get(DataSource);
    const deadLetters = async (reason: string) =>
      Number((await db.query(`SELECT COUNT(*) AS n FROM dead_letters WHERE reason = '${reason}'`))[0].n);
    const series = async (metric: string, gateId: string) =>
      (await (await fetch(`${hub.url}/metrics`)).text())
        .split('\n')
        .filter((l) => l.startsWith(`${metric}{`) && l.includes(`gate="${gateId}"`));

    // Lane states: a configured lane is kept, 50 invented ones are refused and dead-lettered.
    const lane = (laneId: string): LaneState => ({ siteId, gateId: 'g1', laneId, phase: 'idle', at: new Date().toISOString() });
    await g1.publishAsync(topics.gateLanes(siteId, 'g1'), JSON.stringify(lane('l1')), { qos: 1 });
    for (let i = 0; i < 50; i++) await g1.publishAsync(topics.gateLanes(siteId, 'g1'), JSON.stringify(lane(`invented-${i}`)), { qos: 1 });
    await waitFor(
      () => deadLetters('unknown_lane'),
      (n) => n === 50,
      10_000,
      '50 invented lanes dead-lettered',
    );
    const lanes = (await (await admin(`${hub.url}/api/gate-control/lanes?siteId=${siteId}`)).json()) as LaneState[];
    assert.deepEqual(
      lanes.map((l) => l.laneId),
      ['l1'],
    );

    // Status: 64 cameras of which one configured → one series; an unlisted gate gets the first 8.
    const cams = (n: number, first?: string) =>
      Array.from({ length: n }, (_, i) => ({
        cameraId: i === 0 && first ? first : `cam-x${i}`,
        state: 'streaming' as const,
        fps: 10,
        reconnects: 0,
      }));
    const status = (gateId: string, extra: Partial<GateStatus>): GateStatus => ({
      siteId,
      gateId,
      state: 'online',
      at: new Date().toISOString(),
      ...extra,
    });
    await g1.publishAsync(topics.gateStatus(siteId, 'g1'), JSON.stringify(status('g1', { cameras: cams(64, 'cam1') })), { qos: 1 });
    await g2.publishAsync(topics.gateStatus(siteId, 'g2'), JSON.stringify(status('g2', { cameras: cams(30) })), { qos: 1 });
    await waitFor(
      () => deadLetters('unknown_camera'),
      (n) => n === 2,
      10_000,
      'both status messages name unknown cameras',
    );
    assert.equal((await series('cg_camera_fps', 'g1')).length, 1);
    assert.match((await series('cg_camera_fps', 'g1'))[0]!, /camera="cam1"/);
    assert.equal((await series('cg_camera_fps', 'g2')).length, UNLISTED_DEVICE_LIMIT);

    // A lane device renamed by the gate replaces its series instead of adding one.
    for (const source of ['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyUSB2']) {
      await g1.publishAsync(
        topics.gateStatus(siteId, 'g1'),
        JSON.stringify(
          status('g1', { qrInputs: [{ laneId: 'l1', kind: 'serial', source, connected: true, scans: 0, dropped: 0, reconnects: 0 }] }),
        ),
        { qos: 1 },
      );
      await waitFor(
        async () => (await series('cg_lane_device_up', 'g1')).join(),
        (s) => s.includes(source),
        5000,
        `device ${source}`,
      );
    }
    assert.equal((await series('cg_lane_device_up', 'g1')).length, 1);

    // Events: an unconfigured lane is dead-lettered, a configured one stored.
    const ev = (laneId: string) => ({
      eventId: v7(),
      siteId,
      zoneId: 'z',
      gateId: 'g1',
      laneId,
      direction: 'entry',
      source: 'face',
      occurredAt: new Date().toISOString(),
    });
    const good = ev('l2');
    await g1.publishAsync(topics.gateEvents(siteId, 'g1'), JSON.stringify(ev('invented-lane')), { qos: 1 });
    await g1.publishAsync(topics.gateEvents(siteId, 'g1'), JSON.stringify(good), { qos: 1 });
    await waitFor(
      () => deadLetters('unknown_lane'),
      (n) => n === 51,
      10_000,
      'the event of an invented lane is dead-lettered',
    );
    await waitFor(
      async () => (await db.query(`SELECT event_id FROM gate_events`)).map((r: { event_id: string }) => r.event_id),
      (ids) => ids.length === 1 && ids[0] === good.eventId,
      10_000,
      'the configured lane event stored',
    );

    // A gate without a lanes list: invented lane states take all its slots, yet an event of its real
    // lane is stored (events are never refused for the unlisted-lane cap, which bounds hub state only).
    for (let i = 0; i < UNLISTED_DEVICE_LIMIT; i++)
      await g2.publishAsync(topics.gateLanes(siteId, 'g2'), JSON.stringify({ ...lane(`fake-${i}`), gateId: 'g2' }), { qos: 1 });
    const real = { ...ev('l1'), gateId: 'g2' };
    await g2.publishAsync(topics.gateEvents(siteId, 'g2'), JSON.stringify(real), { qos: 1 });
    await waitFor(
      async () => Number((await db.query(`SELECT COUNT(*) AS n FROM gate_events WHERE event_id = '${real.eventId}'`))[0].n),
      (n) => n === 1,
      10_000,
      "the unlisted gate's real lane event stored",
    );
  } finally {
    await Promise.all(clients.map((c) => c.endAsync()));
    await hub.close();
  }
}

test(
  'gate-chosen identifiers on SQLite: only configured lanes and cameras reach hub state and metrics; the rest is dead-lettered',
  { timeout: 60_000 },
  async () => {
    await runIdentifiers();
  },
);

test('gate-chosen identifiers on PostgreSQL: the same', { timeout: 60_000 }, async () => {
  const pg = await createTestDatabase();
  try {
    await runIdentifiers(pg.url);
  } finally {
    await pg.drop();
  }
});
