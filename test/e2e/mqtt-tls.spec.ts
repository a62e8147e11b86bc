import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { DataSource } from 'typeorm';
import { v7 } from 'uuid';
import { gateMqttClientId, gateMqttName, topics, type GateEvent } from '../../libs/contracts/src/index.js';
import { hubConfigFromEnv, type HubConfig } from '../../apps/hub/src/config/hub-config.js';
import type { MqttCredentialEntity } from '../../apps/hub/src/database/entities/index.js';
import { GateEventEntity } from '../../apps/hub/src/database/entities/index.js';
import { GateMqttBridge } from '../../apps/hub/src/gate-control/gate-mqtt.bridge.js';
import { startHub, type HubApp } from '../../apps/hub/src/hub-app.js';
import { aclFile, authConf, passwordFile } from '../../apps/hub/src/mqtt-auth/mosquitto-files.js';
import { mosquittoHash } from '../../apps/hub/src/mqtt-auth/mosquitto-hash.js';
import { WatchlistSyncPublisher } from '../../apps/hub/src/watchlist/watchlist-sync.publisher.js';
import type { EdgeConfig } from '../../edge/src/config/edge-config.schema.js';
import { startEdge, type EdgeApp } from '../../edge/src/edge-app.js';
import { EdgeWatchlist } from '../../edge/src/watchlist/index.js';
import { credentialedEdgeConfig, TEST_ADMIN_CONFIG, withGateCredentials } from '../support/hub-auth.js';
import { PrivateMosquitto } from '../support/mosquitto.js';
import { freePort } from '../support/ports.js';
import { testSite } from '../support/test-site.js';
import { createTestTls, type TestTls } from '../support/test-tls.js';
import { waitFor } from '../support/wait-for.js';

/** One attempt, no retries: rejects on a TLS error or when the server just closes the socket. */
const connectOnce = (url: string, opts: IClientOptions) =>
  mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...opts }, false);

/** Fails instead of hanging when a client queues forever (e.g. a hub client that cannot verify the broker). */
const within = <T>(ms: number, what: string, p: Promise<T>) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms).unref()),
  ]);

const hubOverrides = (site: ReturnType<typeof testSite>): Partial<HubConfig> => ({
  port: 0,
  embeddedMqttPort: 0,
  embeddedMqttHost: '127.0.0.1',
  sitesFile: site.sitesFile,
  sqlitePath: join(site.dir, 'hub.db'),
  jwtSecretFile: join(site.dir, 'jwt.key'),
  ingestClients: 1,
  instanceId: site.siteId,
  ...TEST_ADMIN_CONFIG,
});

const edgeOverMqtts = (site: ReturnType<typeof testSite>, url: string, tls: TestTls): EdgeConfig =>
  site.edgeConfig(url, { mqtt: { url, caFile: tls.caFile, reconnectMs: 200 } });

/** The edge's outbox publishes one event over the gate's own connection; the hub stores it. */
async function eventIngested(hub: HubApp, edge: EdgeApp, siteId: string): Promise<void> {
  const e: GateEvent = {
    eventId: v7(),
    siteId,
    zoneId: 'sanh-a',
    gateId: 'g1',
    direction: 'entry',
    source: 'card',
    occurredAt: new Date().toISOString(),
  };
  edge.outbox.enqueueMany([e]);
  const repo = hub.app.get(DataSource).getRepository(GateEventEntity);
  await waitFor(
    () => repo.countBy({ eventId: e.eventId }),
    (n) => n === 1,
    15_000,
    'event over mqtts stored by the hub',
  );
  await waitFor(
    () => edge.outbox.depth(),
    (d) => d === 0,
    5000,
    'outbox drained after PUBACK',
  );
}

/** Trusting the wrong CA is a certificate error; plain MQTT to the TLS port never gets a CONNACK. */
async function refusesWrongTrust(port: number, tls: TestTls, login: { username: string; password: string }): Promise<void> {
  const opts = { ...login, clientId: gateMqttClientId('x', 'y', 'probe') };
  await assert.rejects(
    connectOnce(`mqtts://127.0.0.1:${port}`, { ...opts, ca: readFileSync(tls.otherCaFile) }),
    (e: Error & { code?: string }) => {
      // Which code depends on whether the server sends its CA along (Mosquitto) or only its own certificate (aedes).
      assert.match(
        String(e.code),
        /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/,
        e.message,
      );
      return true;
    },
  );
  // Without a CA at all, the system store does not know the private CA either.
  await assert.rejects(connectOnce(`mqtts://127.0.0.1:${port}`, opts), /certificate/i);
  await assert.rejects(connectOnce(`mqtt://127.0.0.1:${port}`, opts), /Couldn't connect|ECONNRESET|closed|timeout/i);
}

test(
  'embedded aedes with TLS: the edge connects over mqtts with mqtt.caFile and its event is ingested; wrong CA and plain TCP refused',
  { timeout: 45_000 },
  async () => {
    const tls = await createTestTls();
    const site = testSite('tls');
    // The env switch as deployed (EMBEDDED_MQTT_TLS_CERT/_KEY), read by the hub's own config parser.
    const hub = await startHub(
      hubConfigFromEnv({ EMBEDDED_MQTT_TLS_CERT: tls.certFile, EMBEDDED_MQTT_TLS_KEY: tls.keyFile }, hubOverrides(site)),
      false,
    );
    let edge: EdgeApp | null = null;
    const clients: MqttClient[] = [];
    try {
      const url = `mqtts://127.0.0.1:${hub.mqttPort}`;
      const edgeCfg = await credentialedEdgeConfig(hub.url, edgeOverMqtts(site, url, tls));
      edge = await startEdge(edgeCfg, false);
      await eventIngested(hub, edge, site.siteId);

      const g2 = edgeCfg.gates.find((g) => g.id === 'g2')!.mqtt!;
      await refusesWrongTrust(hub.mqttPort, tls, g2);
      // The same login with the right CA gets in, so the refusals above were about trust, not the login.
      const ok = await connectOnce(url, { ...g2, clientId: gateMqttClientId(site.siteId, 'g2', 'probe'), ca: readFileSync(tls.caFile) });
      clients.push(ok);
      assert.equal(ok.connected, true);
    } finally {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await edge?.close();
      await hub.close();
      for (const d of [tls.dir, site.dir]) rmSync(d, { recursive: true, force: true });
    }
  },
);

test(
  'Mosquitto with the generated TLS listener: hub (MQTT_CA_FILE) and gate over mqtts, event ingested, commands and watchlist sync over TLS; wrong CA refused',
  { timeout: 45_000 },
  async () => {
    const tls = await createTestTls();
    const site = testSite('mtls');
    // Credentials as the hub issues them, written by the same generators as `npm run hub:mosquitto-config`.
    const secret = () => randomBytes(18).toString('base64url');
    const hubLogin = { username: 'hub', password: secret() };
    const gateLogins = new Map(['g1', 'g2', 'g3'].map((g) => [g, { username: gateMqttName(site.siteId, g), password: secret() }]));
    const row = async (username: string, password: string, gateId: string | null): Promise<MqttCredentialEntity> =>
      ({
        username,
        kind: gateId ? 'gate' : 'hub',
        siteId: gateId ? site.siteId : null,
        gateId,
        passwordHash: await mosquittoHash(password),
        createdAt: Date.now(),
      }) as MqttCredentialEntity;
    const rows = [
      await row(hubLogin.username, hubLogin.password, null),
      ...(await Promise.all([...gateLogins].map(([g, l]) => row(l.username, l.password, g)))),
    ];
    const authDir = mkdtempSync(join(tmpdir(), 'cg-mosq-tls-'));
    writeFileSync(join(authDir, 'passwd'), passwordFile(rows));
    writeFileSync(join(authDir, 'acl'), aclFile(rows));
    // Mosquitto reads these after dropping to its own user.
    chmodSync(authDir, 0o755);
    for (const f of ['passwd', 'acl']) chmodSync(join(authDir, f), 0o644);
    const tlsPort = await freePort();
    const conf = authConf(authDir, { certFile: tls.certFile, keyFile: tls.keyFile, caFile: tls.caFile, port: tlsPort });
    assert.match(conf, new RegExp(`^listener ${tlsPort}$`, 'm'));
    const mosq = new PrivateMosquitto({ extraConfig: conf });
    let hub: HubApp | null = null;
    let edge: EdgeApp | null = null;
    let wl: EdgeWatchlist | null = null;
    const clients: MqttClient[] = [];
    try {
      await mosq.start();
      const url = `mqtts://127.0.0.1:${tlsPort}`;
      await refusesWrongTrust(tlsPort, tls, gateLogins.get('g2')!);

      const env = { MQTT_URL: url, MQTT_CA_FILE: tls.caFile, MQTT_USERNAME: hubLogin.username, MQTT_PASSWORD: hubLogin.password };
      hub = await startHub(hubConfigFromEnv(env, hubOverrides(site)), false);
      const creds = new Map(
        [...gateLogins].map(([g, l]) => [g, { ...l, siteId: site.siteId, gateId: g, createdAt: new Date().toISOString() }]),
      );
      edge = await startEdge(withGateCredentials(edgeOverMqtts(site, url, tls), creds), false);
      await eventIngested(hub, edge, site.siteId);

      // Gate control: the hub's command client reaches g3 over mqtts.
      const g3 = await connectOnce(url, {
        ...gateLogins.get('g3')!,
        clientId: gateMqttClientId(site.siteId, 'g3', 'probe'),
        ca: readFileSync(tls.caFile),
      });
      clients.push(g3);
      const commands: string[] = [];
      g3.on('message', (_t, p) => commands.push(p.toString()));
      await g3.subscribeAsync(topics.gateCommands(site.siteId, 'g3'), { qos: 1 });
      const commandId = randomUUID();
      const cmd = {
        type: 'reload_config',
        commandId,
        siteId: site.siteId,
        gateId: 'g3',
        issuedAt: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 10_000).toISOString(),
        issuedBy: 'test',
      } as const;
      await within(5000, 'gate command published by the hub', hub.app.get(GateMqttBridge).publish(cmd, 5000));
      await waitFor(
        () => commands,
        (c) => c.some((x) => x.includes(commandId)),
        5000,
        'command over mqtts',
      );

      // Watchlist sync: the hub's publisher hears the edge's resync request and answers with a snapshot.
      const publisher = hub.app.get(WatchlistSyncPublisher);
      const seq = await within(5000, 'watchlist change published by the hub', publisher.publishChange(site.siteId, [], []));
      wl = new EdgeWatchlist({
        mqttUrl: url,
        caFile: tls.caFile,
        siteId: site.siteId,
        gateId: 'g2',
        ...gateLogins.get('g2')!,
        cachePath: join(site.dir, 'wl.db'),
        faceThreshold: 0.5,
        reconnectMs: 200,
      });
      await wl.start();
      await waitFor(
        () => wl!.seq,
        (s) => s === seq,
        10_000,
        'watchlist snapshot over mqtts',
      );
    } finally {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await wl?.close();
      await edge?.close();
      await hub?.close();
      await mosq.stop();
      for (const d of [tls.dir, site.dir, authDir, mosq.dir]) rmSync(d, { recursive: true, force: true });
    }
  },
);
