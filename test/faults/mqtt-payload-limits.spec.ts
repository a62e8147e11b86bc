import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import mqtt from 'mqtt';
import { topics } from '../../libs/contracts/src/index.js';
import { BROKER_MAX_PAYLOAD, PAYLOAD_LIMITS } from '../../apps/hub/src/broker/payload-limits.js';
import { authedJson, issueGateCredentials, login, TEST_ADMIN_ENV } from '../support/hub-auth.js';
import { HubProcess } from '../support/hub-process.js';
import { PrivateMosquitto } from '../support/mosquitto.js';
import { PrivateNats } from '../support/nats.js';
import { freePort } from '../support/ports.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';

interface DeadLetter {
  topic: string;
  reason: string;
  detail: string;
  payloadBytes: number;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

test(
  "embedded broker: a logged-in gate's oversized publish (lanes, events, media-replies) is acknowledged, dead-lettered `oversized` with its size and never buffered (hub RSS flat over 3 × 48 MB); the connection stays in sync; an oversized publish to a topic the gate may not use closes it",
  { timeout: 120_000 },
  async () => {
    const site = testSite('pl');
    const mqttPort = await freePort();
    const hub = new HubProcess({
      SQLITE_PATH: `${site.dir}/hub.db`,
      HUB_SITES_FILE: site.sitesFile,
      EMBEDDED_MQTT_PORT: String(mqttPort),
      EMBEDDED_MQTT_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...TEST_ADMIN_ENV,
    });
    cleanups.push(() => hub.stop());
    await hub.start();
    const token = (await login(hub.url)).accessToken;
    const cred = (await issueGateCredentials(hub.url, token, site.siteId, ['g1'])).get('g1')!;
    const gate = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: cred.username,
      username: cred.username,
      password: cred.password,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    cleanups.push(() => gate.endAsync(true));
    let closes = 0;
    gate.on('close', () => closes++);
    const before = rssMb(hub.pid!);
    // 48 MB each: every one acknowledged (the gate does not resend it forever), none held in memory.
    const big = Buffer.alloc(48 * 1024 * 1024, 0x7b);
    for (const t of [topics.gateLanes(site.siteId, 'g1'), topics.gateMediaReplies(site.siteId, 'g1'), topics.gateEvents(site.siteId, 'g1')])
      await gate.publishAsync(t, big, { qos: 1 });
    const grown = rssMb(hub.pid!) - before;
    assert.ok(grown < 40, `hub RSS grew ${grown.toFixed(0)} MB over three 48 MB messages`);
    // Just over a kind's limit: refused too; just under the events limit: passes the guard (then the pipeline parses it).
    await gate.publishAsync(topics.gateLanes(site.siteId, 'g1'), Buffer.alloc(PAYLOAD_LIMITS.lanes + 1, 0x20), { qos: 1 });
    await gate.publishAsync(topics.gateEvents(site.siteId, 'g1'), Buffer.from('{"not":"an event"}'), { qos: 1 });
    assert.equal(closes, 0, 'the connection stayed up and in sync');
    const get = authedJson(token);
    const letters = await waitFor(
      () => get<DeadLetter[]>(`${hub.url}/api/dead-letters?limit=20`),
      (l) => l.length >= 5,
      15_000,
      'dead letters',
    );
    const oversized = letters.filter((l) => l.reason === 'oversized');
    assert.equal(oversized.length, 4, JSON.stringify(letters));
    assert.deepEqual(
      oversized.map((l) => l.payloadBytes).sort((a, b) => a - b),
      [PAYLOAD_LIMITS.lanes + 1, big.length, big.length, big.length],
    );
    assert.ok(
      oversized.some((l) => /on a lanes topic, limit 16384; refused before parsing/.test(l.detail)),
      JSON.stringify(oversized),
    );
    assert.ok(oversized.some((l) => /on a media-replies topic/.test(l.detail)));
    assert.ok(
      letters.some((l) => l.reason === 'schema'),
      'the small message after them was parsed: the stream stayed in sync',
    );
    const m = await (await fetch(`${hub.url}/metrics`)).text();
    assert.match(m, /cg_ingest_rejected_total\{reason="oversized"\} 4/);
    // Another gate's topic, oversized: the connection is closed, nothing recorded.
    const closed = new Promise<void>((r) => gate.once('close', () => r()));
    gate.publish(topics.gateLanes(site.siteId, 'g2'), big, { qos: 1 });
    await closed;
    assert.equal((await get<DeadLetter[]>(`${hub.url}/api/dead-letters?limit=20`)).filter((l) => l.reason === 'oversized').length, 4);
  },
);

/** Publishes `bytes` on a topic and says whether a subscriber on the same broker received it. */
async function delivered(url: string, bytes: number): Promise<boolean> {
  const topic = `cg/v1/sites/size/gates/g1/media-replies`;
  const sub = await mqtt.connectAsync(url, {
    clientId: `sz-sub-${Math.random().toString(36).slice(2)}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  const pub = await mqtt.connectAsync(url, {
    clientId: `sz-pub-${Math.random().toString(36).slice(2)}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  try {
    await sub.subscribeAsync(topic, { qos: 1 });
    const sizes: number[] = [];
    const marker = Buffer.from('end');
    const end = new Promise<void>((r) => sub.on('message', (_t, p) => (p.equals(marker) ? r() : sizes.push(p.length))));
    // Mosquitto drops it and acknowledges; NATS closes the publisher's connection.
    await Promise.race([
      pub.publishAsync(topic, Buffer.alloc(bytes, 0x41), { qos: 1 }),
      new Promise<void>((r) => pub.once('close', () => r())),
    ]);
    // A small message after it, on a connection that is up: once it arrives, the big one would have arrived before it.
    const pub2 = pub.connected
      ? pub
      : await mqtt.connectAsync(url, {
          clientId: `sz-pub2-${Math.random().toString(36).slice(2)}`,
          protocolVersion: 4,
          reconnectPeriod: 0,
        });
    await pub2.publishAsync(topic, marker, { qos: 1 });
    await end;
    if (pub2 !== pub) await pub2.endAsync(true);
    return sizes.includes(bytes);
  } finally {
    await sub.endAsync(true);
    await pub.endAsync(true);
  }
}

test(
  'the shipped Mosquitto config (message_size_limit) drops a payload over BROKER_MAX_PAYLOAD and delivers one at it',
  { timeout: 60_000 },
  async () => {
    const broker = new PrivateMosquitto({ anonymous: true }); // not a broker-security test
    cleanups.push(() => broker.stop());
    await broker.start();
    assert.equal(await delivered(broker.url, BROKER_MAX_PAYLOAD), true);
    assert.equal(await delivered(broker.url, BROKER_MAX_PAYLOAD + 1), false);
  },
);

for (const kind of ['Mosquitto', 'NATS'] as const)
  test(
    `external broker (${kind}, shipped config): a message under the broker's limit but over its topic kind's (a 100 kB lane state, a 64 kB + 10 event) is dead-lettered \`oversized\` by the hub before parsing`,
    { timeout: 60_000 },
    async () => {
      const site = testSite('px');
      // NATS 2.9's MQTT listener does not apply max_payload (measured): there the hub's check is the only one.
      const broker = kind === 'NATS' ? new PrivateNats() : new PrivateMosquitto({ anonymous: true });
      cleanups.push(() => broker.stop());
      await broker.start();
      const hub = new HubProcess({
        SQLITE_PATH: `${site.dir}/hub.db`,
        HUB_SITES_FILE: site.sitesFile,
        MQTT_URL: broker.url,
        HUB_INGEST_CLIENTS: '1',
        LOG_LEVEL: 'warn',
        ...TEST_ADMIN_ENV,
      });
      cleanups.push(() => hub.stop());
      await hub.start();
      const gate = await mqtt.connectAsync(broker.url, { clientId: 'px-gate', protocolVersion: 4, reconnectPeriod: 0 });
      cleanups.push(() => gate.endAsync(true));
      await gate.publishAsync(topics.gateLanes(site.siteId, 'g1'), Buffer.alloc(100_000, 0x7b), { qos: 1 });
      await gate.publishAsync(topics.gateEvents(site.siteId, 'g1'), Buffer.alloc(PAYLOAD_LIMITS.events + 10, 0x7b), { qos: 1 });
      const get = authedJson((await login(hub.url)).accessToken);
      const letters = await waitFor(
        () => get<DeadLetter[]>(`${hub.url}/api/dead-letters?limit=20`),
        (l) => l.filter((x) => x.reason === 'oversized').length >= 2,
        15_000,
        'oversized dead letters',
      );
      assert.ok(
        letters.some((l) => l.payloadBytes === 100_000 && /lanes topic, limit 16384.*external broker/.test(l.detail)),
        JSON.stringify(letters),
      );
      assert.ok(
        letters.some((l) => l.payloadBytes === PAYLOAD_LIMITS.events + 10 && /events topic/.test(l.detail)),
        JSON.stringify(letters),
      );
    },
  );

test(
  "NATS, shipped config, the installed nats-server: an MQTT publish over max_payload is refused by the broker, or (2.9 and others without nats-server#7439's fix) delivered and then dead-lettered `oversized` by the hub before parsing",
  { timeout: 60_000 },
  async (t) => {
    const version = execFileSync('nats-server', ['--version'], { encoding: 'utf8' }).trim();
    const site = testSite('pn');
    const broker = new PrivateNats();
    cleanups.push(() => broker.stop());
    await broker.start();
    const passed = await delivered(broker.url, BROKER_MAX_PAYLOAD + 1);
    t.diagnostic(
      `${version}: an MQTT publish of max_payload + 1 byte was ${passed ? 'delivered (max_payload not applied to MQTT)' : 'refused'}`,
    );
    // The installed 2.9 is measured here, not assumed: if this fails, the README's and nats.conf's note is out of date.
    if (/v2\.9\./.test(version)) assert.equal(passed, true, 'nats-server 2.9 delivers MQTT publishes over max_payload');
    if (!passed) return;
    const hub = new HubProcess({
      SQLITE_PATH: `${site.dir}/hub.db`,
      HUB_SITES_FILE: site.sitesFile,
      MQTT_URL: broker.url,
      HUB_INGEST_CLIENTS: '1',
      LOG_LEVEL: 'warn',
      ...TEST_ADMIN_ENV,
    });
    cleanups.push(() => hub.stop());
    await hub.start();
    const gate = await mqtt.connectAsync(broker.url, { clientId: 'pn-gate', protocolVersion: 4, reconnectPeriod: 0 });
    cleanups.push(() => gate.endAsync(true));
    await gate.publishAsync(topics.gateEvents(site.siteId, 'g1'), Buffer.alloc(BROKER_MAX_PAYLOAD + 1, 0x7b), { qos: 1 });
    const get = authedJson((await login(hub.url)).accessToken);
    const letters = await waitFor(
      () => get<DeadLetter[]>(`${hub.url}/api/dead-letters?limit=20`),
      (l) => l.some((x) => x.reason === 'oversized'),
      15_000,
      'the oversized dead letter',
    );
    assert.ok(
      letters.some((l) => l.payloadBytes === BROKER_MAX_PAYLOAD + 1 && /events topic/.test(l.detail)),
      JSON.stringify(letters),
    );
    assert.equal(letters.filter((l) => l.reason !== 'oversized').length, 0, 'not parsed (no schema dead letter)');
  },
);
