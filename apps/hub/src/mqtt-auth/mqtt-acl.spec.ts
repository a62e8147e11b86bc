import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { DataSource } from 'typeorm';
import { gateMqttClientId, isGateClientIdOf, topicFilters, topics } from '../../../../libs/contracts/src/index.js';
import { authedFetch, issueGateCredentials, login } from '../../../../test/support/hub-auth.js';
import { PrivateMosquitto } from '../../../../test/support/mosquitto.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { EmbeddedBroker } from '../broker/embedded-broker.service.js';
import { aclOf, maySubscribe, mayPublish, patternCovers } from './mqtt-acl.js';
import { aclFile, authConf, passwordFile } from './mosquitto-files.js';
import { mosquittoHash, verifyMosquittoHash } from './mosquitto-hash.js';
import { MqttCredentialStore } from './mqtt-credential-store.js';

/** A gate login connects under its own name (the embedded broker refuses other client ids). */
const opts = (
  login?: { username: string; password: string },
  clientId = login?.username.startsWith('gate.') ? login.username : `t-${Math.random().toString(36).slice(2)}`,
) => ({ clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...login }) as const;

/** SUBACK return codes (mqtt.js rejects the promise when one is 128, but keeps the packet). */
const grantedQos = (c: MqttClient, filters: string[]) =>
  c.subscribeAsync(filters, { qos: 1 }).then(
    (g) => g.map((x) => x.qos),
    (e: { packet?: { granted?: number[] } }) => {
      if (!e.packet?.granted) throw e;
      return e.packet.granted;
    },
  );

test('ACL rules: a gate writes only its own events/status, reads only its commands and its site watchlist', () => {
  const g = { kind: 'gate', siteId: 's1', gateId: 'g1' } as const;
  assert.equal(mayPublish(g, topics.gateEvents('s1', 'g1')), true);
  assert.equal(mayPublish(g, topics.gateStatus('s1', 'g1')), true);
  assert.equal(mayPublish(g, topics.gateEvents('s1', 'g2')), false);
  assert.equal(mayPublish(g, topics.gateEvents('s2', 'g1')), false);
  assert.equal(mayPublish(g, topics.gateCommands('s1', 'g1')), false);
  assert.equal(maySubscribe(g, topics.gateCommands('s1', 'g1')), true);
  assert.equal(maySubscribe(g, topics.siteWatchlist('s1')), true);
  assert.equal(maySubscribe(g, topics.siteWatchlist('s2')), false);
  assert.equal(maySubscribe(g, 'cg/v1/sites/s1/gates/+/commands'), false, 'a wildcard filter is wider than the grant');
  assert.equal(maySubscribe(g, '#'), false);
  assert.equal(maySubscribe({ kind: 'hub' }, '$share/hub/cg/v1/sites/+/gates/+/events'), true);
  assert.equal(mayPublish({ kind: 'hub' }, topics.gateEvents('s1', 'g1')), false, 'the hub does not forge gate events');
  // Live camera tiles: a gate publishes frames of its own cameras and reads its own view leases only.
  assert.equal(mayPublish(g, topics.gateCameraFrames('s1', 'g1', 'cam-1')), true);
  assert.equal(mayPublish(g, topics.gateCameraFrames('s1', 'g2', 'cam-1')), false);
  assert.equal(mayPublish(g, topics.gateCameraFrames('s2', 'g1', 'cam-1')), false);
  assert.equal(mayPublish(g, topics.gateCameraView('s1', 'g1')), false, 'only the hub grants view leases');
  assert.equal(maySubscribe(g, topics.gateCameraView('s1', 'g1')), true);
  assert.equal(maySubscribe(g, topics.gateCameraView('s1', 'g2')), false);
  assert.equal(maySubscribe(g, topics.gateCameraFrames('s1', 'g2', 'cam-1')), false, "a gate never sees another gate's frames");
  assert.equal(maySubscribe(g, 'cg/v1/sites/s1/gates/g1/cameras/+/frames'), false);
  assert.equal(mayPublish({ kind: 'hub' }, topics.gateCameraView('s1', 'g1')), true);
  assert.equal(maySubscribe({ kind: 'hub' }, topicFilters.allCameraFrames), true);
  assert.equal(patternCovers('a/+/c', 'a/b/c'), true);
  assert.equal(patternCovers('a/+/c', 'a/b/c/d'), false);
});

test('ACL rules for face crops: a gate reads only its own media requests and answers only on its own reply topic; only the hub asks', () => {
  const g = { kind: 'gate', siteId: 's1', gateId: 'g1' } as const;
  const hub = { kind: 'hub' } as const;
  assert.deepEqual(
    aclOf(g).write.filter((t) => t.includes('media')),
    [topics.gateMediaReplies('s1', 'g1')],
  );
  assert.deepEqual(
    aclOf(g).read.filter((t) => t.includes('media')),
    [topics.gateMediaRequests('s1', 'g1')],
  );
  assert.equal(maySubscribe(g, topics.gateMediaRequests('s1', 'g2')), false, "another gate's crop requests");
  assert.equal(maySubscribe(g, topics.gateMediaReplies('s1', 'g1')), false, 'a gate cannot read crops sent to the hub');
  assert.equal(maySubscribe(g, topics.gateMediaReplies('s1', 'g2')), false);
  assert.equal(mayPublish(g, topics.gateMediaRequests('s1', 'g1')), false, 'a gate cannot ask another for crops');
  assert.equal(mayPublish(g, topics.gateMediaReplies('s1', 'g2')), false, 'a gate cannot answer for another');
  assert.equal(mayPublish(hub, topics.gateMediaRequests('s1', 'g1')), true);
  assert.equal(maySubscribe(hub, topicFilters.allGateMediaReplies), true);
  assert.equal(mayPublish(hub, topics.gateMediaReplies('s1', 'g1')), false, 'the hub does not forge edge answers');
});

test('gate client ids: the own name or <name>:<suffix>, never another gate or a lookalike', () => {
  const g1 = gateMqttClientId('s1', 'g1');
  assert.equal(g1, 'gate.s1.g1');
  assert.equal(gateMqttClientId('s1', 'g1', 'watchlist'), 'gate.s1.g1:watchlist');
  assert.throws(() => gateMqttClientId('s1', 'g1', 'a:b'), /suffix/);
  assert.equal(isGateClientIdOf(g1, g1), true);
  assert.equal(isGateClientIdOf(g1, `${g1}:watchlist`), true);
  assert.equal(isGateClientIdOf(g1, `${g1}:`), false, 'empty suffix');
  assert.equal(isGateClientIdOf(g1, 'gate.s1.g12'), false, 'a gate whose id starts with ours');
  assert.equal(isGateClientIdOf(g1, 'gate.s1.g2'), false);
  // Dots cannot occur in ids, so names of different site/gate pairs never coincide (dashes did).
  assert.notEqual(gateMqttClientId('a-b', 'c'), gateMqttClientId('a', 'b-c'));
});

test("password hashes interoperate with Mosquitto's $7$ format (mosquitto_passwd)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-passwd-'));
  const file = join(dir, 'passwd');
  execFileSync('mosquitto_passwd', ['-b', '-c', file, 'gate.s1.g1', 'sesame-open-1']);
  const hash = readFileSync(file, 'utf8').trim().split(':')[1]!;
  assert.match(hash, /^\$7\$/);
  assert.equal(await verifyMosquittoHash(hash, 'sesame-open-1'), true);
  assert.equal(await verifyMosquittoHash(hash, 'sesame-open-2'), false);
  const ours = await mosquittoHash('another-secret');
  assert.equal(await verifyMosquittoHash(ours, 'another-secret'), true);
  const tampered = ours.slice(0, -4) + (ours.endsWith('AAA=') ? 'BBB=' : 'AAA=');
  assert.equal(await verifyMosquittoHash(tampered, 'another-secret'), false);
});

test(
  'gate A publishing as gate B is refused by the embedded aedes broker and by a real Mosquitto with the generated config',
  { timeout: 90_000 },
  async () => {
    const { hub, siteA, siteB } = await startTwoSiteHub();
    const clients: MqttClient[] = [];
    let mosq: PrivateMosquitto | null = null;
    try {
      const admin = (await login(hub.url)).accessToken;
      const creds = await issueGateCredentials(hub.url, admin, siteA, ['g1', 'g2']);
      const g1 = { username: creds.get('g1')!.username, password: creds.get('g1')!.password };
      const g2 = { username: creds.get('g2')!.username, password: creds.get('g2')!.password };
      const url = `mqtt://127.0.0.1:${hub.mqttPort}`;

      // --- aedes ---
      await assert.rejects(mqtt.connectAsync(url, opts()), /Bad username or password/, 'anonymous');
      await assert.rejects(mqtt.connectAsync(url, opts({ ...g1, password: 'guess' })), /Bad username or password/, 'wrong password');

      const seen: string[] = [];
      const aedes = hub.app.get(EmbeddedBroker).instance!;
      await new Promise<void>((r) =>
        aedes.subscribe(
          `cg/v1/sites/+/gates/+/events`,
          (p: { topic: string; payload: Buffer | string }, cb: () => void) => (seen.push(`${p.topic} ${p.payload.toString()}`), cb()),
          r,
        ),
      );

      const a1 = await mqtt.connectAsync(url, opts(g1));
      clients.push(a1);
      let a1Closed = false;
      a1.once('close', () => (a1Closed = true));

      // Session takeover: g2's login under g1's client id (bare or suffixed) is refused with CONNACK 2,
      // and g1 stays connected.
      await assert.rejects(mqtt.connectAsync(url, opts(g2, g1.username)), /Identifier rejected/, 'g2 taking over g1');
      await assert.rejects(mqtt.connectAsync(url, opts(g2, `${g1.username}:watchlist`)), /Identifier rejected/, 'g2 under g1:suffix');
      await assert.rejects(mqtt.connectAsync(url, opts(g2, `t-${Date.now()}`)), /Identifier rejected/, 'a gate under a made-up id');
      await assert.rejects(mqtt.connectAsync(url, opts(g2, `${g2.username}x`)), /Identifier rejected/, 'a lookalike of its own name');
      const hubLogin = await new MqttCredentialStore(hub.app.get(DataSource)).issueHub('hub');
      await assert.rejects(
        mqtt.connectAsync(url, opts(hubLogin, gateMqttClientId(siteB, 'g1'))),
        /Identifier rejected/,
        'hub login with a gate id',
      );
      // Own name and own name with a suffix, side by side (the edge's gate link and its watchlist link).
      for (const id of [g2.username, `${g2.username}:watchlist`]) {
        const c = await mqtt.connectAsync(url, opts(g2, id));
        clients.push(c);
        assert.equal(c.connected, true, id);
      }
      const hubClient = await mqtt.connectAsync(url, opts(hubLogin, 'cg-test-hub'));
      clients.push(hubClient);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(a1Closed, false, 'g1 was not kicked off');
      assert.equal(a1.connected, true);
      await a1.publishAsync(topics.gateEvents(siteA, 'g1'), 'own-1', { qos: 1 });
      await waitFor(
        () => seen,
        (s) => s.includes(`${topics.gateEvents(siteA, 'g1')} own-1`),
        5000,
        'own publish delivered',
      );
      // aedes answers an unauthorised publish by closing the connection; the message is not delivered.
      const closed = new Promise<void>((r) => a1.once('close', () => r()));
      a1.publish(topics.gateEvents(siteA, 'g2'), 'forged-as-g2', { qos: 1 });
      a1.publish(topics.gateEvents(siteB, 'g1'), 'forged-other-site', { qos: 1 });
      await closed;
      const a1b = await mqtt.connectAsync(url, opts(g1));
      clients.push(a1b);
      await a1b.publishAsync(topics.gateStatus(siteA, 'g1'), '{}', { qos: 1 });
      await a1b.publishAsync(topics.gateEvents(siteA, 'g1'), 'marker', { qos: 1 });
      await waitFor(
        () => seen,
        (s) => s.some((x) => x.endsWith(' marker')),
        5000,
        'marker after the refused publish',
      );
      assert.deepEqual(
        seen.filter((x) => x.includes('forged')),
        [],
        'forged messages never reached a subscriber',
      );

      // Subscriptions outside the gate's own commands and its site's watchlist get SUBACK failure (128).
      const granted = await grantedQos(a1b, [
        topics.gateCommands(siteA, 'g1'),
        topics.siteWatchlist(siteA),
        topics.gateCommands(siteA, 'g2'),
        topics.siteWatchlist(siteB),
        'cg/#',
      ]);
      assert.deepEqual(granted, [1, 1, 128, 128, 128]);

      // Revoking the credentials closes the live connection and refuses the next login.
      const gone = new Promise<void>((r) => a1b.once('close', () => r()));
      assert.equal((await authedFetch(admin)(`${hub.url}/api/gate-credentials/${siteA}/g1`, { method: 'DELETE' })).status, 200);
      await gone;
      await assert.rejects(mqtt.connectAsync(url, opts(g1)), /Bad username or password/);

      // --- Mosquitto, configured from the same credentials by the generated files ---
      const store = new MqttCredentialStore(hub.app.get(DataSource));
      const rows = await store.all();
      const dir = mkdtempSync(join(tmpdir(), 'cg-mosq-auth-'));
      writeFileSync(join(dir, 'passwd'), passwordFile(rows));
      writeFileSync(join(dir, 'acl'), aclFile(rows));
      // Mosquitto reads these after dropping to its own user.
      chmodSync(dir, 0o755);
      for (const f of ['passwd', 'acl']) chmodSync(join(dir, f), 0o644);
      mosq = new PrivateMosquitto({ extraConfig: authConf(dir, null) });
      await mosq.start();

      await assert.rejects(mqtt.connectAsync(mosq.url, opts()), /Not authorized|Bad username/, 'anonymous refused by Mosquitto');
      await assert.rejects(mqtt.connectAsync(mosq.url, opts(g1)), /Not authorized|Bad username/, 'revoked gate refused by Mosquitto');
      const h = await mqtt.connectAsync(mosq.url, opts(hubLogin));
      clients.push(h);
      const got: string[] = [];
      h.on('message', (t, p) => got.push(`${t} ${p.toString()}`));
      await h.subscribeAsync('cg/v1/sites/+/gates/+/events', { qos: 1 });
      const m2 = await mqtt.connectAsync(mosq.url, opts(g2));
      clients.push(m2);
      const cmds: string[] = [];
      m2.on('message', (t, p) => cmds.push(`${t} ${p.toString()}`));
      await m2.publishAsync(topics.gateEvents(siteA, 'g2'), 'own-2', { qos: 1 });
      // MQTT 3.1.1 has no way to refuse a publish: Mosquitto acknowledges it and drops it.
      await m2.publishAsync(topics.gateEvents(siteA, 'g1'), 'forged-as-g1', { qos: 1 });
      await m2.publishAsync(topics.gateEvents(siteA, 'g2'), 'marker-2', { qos: 1 });
      await waitFor(
        () => got,
        (g) => g.some((x) => x.endsWith(' marker-2')),
        5000,
        'marker through Mosquitto',
      );
      assert.deepEqual(got, [`${topics.gateEvents(siteA, 'g2')} own-2`, `${topics.gateEvents(siteA, 'g2')} marker-2`]);

      // g2 may read its own commands, not g1's: the hub's command for g1 never reaches it.
      const m2Granted = await grantedQos(m2, [topics.gateCommands(siteA, 'g2'), topics.gateCommands(siteA, 'g1')]);
      assert.equal(m2Granted[0], 1);
      await h.publishAsync(topics.gateCommands(siteA, 'g1'), 'for-g1', { qos: 1 });
      await h.publishAsync(topics.gateCommands(siteA, 'g2'), 'for-g2', { qos: 1 });
      await waitFor(
        () => cmds,
        (c) => c.length >= 1,
        5000,
        'own command',
      );
      await h.publishAsync(topics.gateCommands(siteA, 'g2'), 'for-g2-again', { qos: 1 });
      await waitFor(
        () => cmds,
        (c) => c.length >= 2,
        5000,
        'second own command',
      );
      assert.deepEqual(cmds, [`${topics.gateCommands(siteA, 'g2')} for-g2`, `${topics.gateCommands(siteA, 'g2')} for-g2-again`]);

      // Face crops through Mosquitto's generated ACL: g2 reads its own media requests only, and its
      // answers reach the hub only from its own reply topic (one forged as g1 is dropped).
      // Mosquitto 2.0 grants the subscriptions and applies the read ACL to each message it would deliver
      // (as for commands above), so what proves the ACL is what arrives, below.
      assert.equal((await grantedQos(m2, [topics.gateMediaRequests(siteA, 'g2'), topics.gateMediaRequests(siteA, 'g1')]))[0], 1);
      const replies: string[] = [];
      h.on('message', (t, p) => t.endsWith('/media-replies') && replies.push(`${t} ${p.toString()}`));
      await h.subscribeAsync(topicFilters.allGateMediaReplies, { qos: 1 });
      await m2.publishAsync(topics.gateMediaReplies(siteA, 'g1'), 'forged-reply-as-g1', { qos: 1 });
      await m2.publishAsync(topics.gateMediaReplies(siteA, 'g2'), 'reply-2', { qos: 1 });
      await waitFor(
        () => replies,
        (r) => r.length >= 1,
        5000,
        'own media reply',
      );
      const requests: string[] = [];
      m2.on('message', (t, p) => t.endsWith('/media-requests') && requests.push(`${t} ${p.toString()}`));
      await h.publishAsync(topics.gateMediaRequests(siteA, 'g1'), 'req-g1', { qos: 1 });
      await h.publishAsync(topics.gateMediaRequests(siteA, 'g2'), 'req-g2', { qos: 1 });
      await waitFor(
        () => requests,
        (r) => r.length >= 1,
        5000,
        'own media request',
      );
      await m2.publishAsync(topics.gateMediaReplies(siteA, 'g2'), 'reply-2-again', { qos: 1 });
      await waitFor(
        () => replies,
        (r) => r.length >= 2,
        5000,
        'second own media reply',
      );
      assert.deepEqual(replies, [
        `${topics.gateMediaReplies(siteA, 'g2')} reply-2`,
        `${topics.gateMediaReplies(siteA, 'g2')} reply-2-again`,
      ]);
      assert.deepEqual(requests, [`${topics.gateMediaRequests(siteA, 'g2')} req-g2`], "g1's crop request never reaches g2");
    } finally {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await mosq?.stop();
      await hub.close();
    }
  },
);
