import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { v7 } from 'uuid';
import {
  gateMqttClientId,
  SocketEvents,
  topics,
  type CountsPayload,
  type GateEvent,
  type GateStatus,
} from '../../libs/contracts/src/index.js';
import { hubConfigFromEnv, type HubConfig } from '../../apps/hub/src/config/hub-config.js';
import { startHub } from '../../apps/hub/src/hub-app.js';
import { GateEventEntity } from '../../apps/hub/src/database/entities/index.js';
import { MqttIngestTransport } from '../../apps/hub/src/ingest/mqtt-ingest.transport.js';
import { authedFetch, credentialedEdgeConfig, login, TEST_ADMIN_CONFIG } from '../support/hub-auth.js';
import { purgeSessions } from '../support/mosquitto.js';
import { startEdge } from '../../edge/src/edge-app.js';
import { testSite } from '../support/test-site.js';
import { waitFor } from '../support/wait-for.js';

export interface ScenarioOptions {
  /** External broker URL; unset uses the hub's embedded aedes broker. */
  mqttUrl?: string;
  databaseUrl?: string;
  ingestClients?: number;
  /** A shared subscription split over the connections instead of gate partitions. */
  ingestShared?: boolean;
}

/**
 * The skeleton's end-to-end path on real parts: an edge agent publishes through its durable outbox,
 * a raw MQTT client adds duplicates and bad messages, and the hub must store, count and push exactly
 * what the edge sent, dead-lettering the rest.
 */
export async function runIngestScenario(opts: ScenarioOptions): Promise<void> {
  const site = testSite();
  const overrides: Partial<HubConfig> = {
    port: 0,
    embeddedMqttPort: 0,
    embeddedMqttHost: '127.0.0.1',
    sitesFile: site.sitesFile,
    sqlitePath: `${site.dir}/hub.db`,
    databaseUrl: opts.databaseUrl,
    mqttUrl: opts.mqttUrl,
    ingestClients: opts.ingestClients ?? 2,
    ingestShared: opts.ingestShared ?? false,
    ingestGroup: site.siteId.replace(/[^A-Za-z0-9_-]/g, ''),
    instanceId: site.siteId,
    ...TEST_ADMIN_CONFIG,
  };
  const hub = await startHub(hubConfigFromEnv({}, overrides), false);
  const brokerUrl = opts.mqttUrl ?? `mqtt://127.0.0.1:${hub.mqttPort}`;
  let socket: Socket | null = null;
  let edge: Awaited<ReturnType<typeof startEdge>> | null = null;
  let raw: mqtt.MqttClient | null = null;
  let raw3: mqtt.MqttClient | null = null;
  try {
    const { accessToken } = await login(hub.url);
    const api = authedFetch(accessToken);
    // The embedded broker admits only hub-issued per-gate logins; the shared test Mosquitto is anonymous.
    const edgeCfg = opts.mqttUrl ? site.edgeConfig(brokerUrl) : await credentialedEdgeConfig(hub.url, site.edgeConfig(brokerUrl));
    const loginOf = (gateId: string) => edgeCfg.gates.find((g) => g.id === gateId)?.mqtt ?? {};
    socket = io(hub.url, { transports: ['websocket'], auth: { token: accessToken } });
    const updates: CountsPayload[] = [];
    const statuses: GateStatus[] = [];
    socket.on(SocketEvents.countsUpdate, (p: CountsPayload) => updates.push(p));
    socket.on(SocketEvents.gateStatus, (s: GateStatus) => statuses.push(s));
    await new Promise<void>((r) => socket!.once('connect', () => r()));
    const ack = (await socket.timeout(5000).emitWithAck(SocketEvents.subscribe, { siteIds: [site.siteId] })) as { ok: boolean };
    assert.equal(ack.ok, true);
    const refused = (await socket.timeout(5000).emitWithAck(SocketEvents.subscribe, { siteIds: ['no-such-site'] })) as {
      ok: boolean;
      error: string;
    };
    assert.equal(refused.ok, false);
    assert.match(refused.error, /unknown site/);

    edge = await startEdge(edgeCfg, false);
    const gates = [
      { gateId: 'g1', zoneId: 'sanh-a' },
      { gateId: 'g2', zoneId: 'sanh-a' },
      { gateId: 'g3', zoneId: 'sanh-b' },
    ];
    const events: GateEvent[] = [];
    for (let i = 0; i < 300; i++) {
      const g = gates[i % 3]!;
      events.push({
        eventId: v7(),
        siteId: site.siteId,
        zoneId: g.zoneId,
        gateId: g.gateId,
        direction: i % 5 === 0 ? 'exit' : 'entry',
        source: i % 7 === 0 ? 'card' : 'camera',
        occurredAt: new Date(Date.now() - (300 - i) * 100).toISOString(),
      });
    }
    edge.outbox.enqueueMany(events.slice(0, 150));
    edge.outbox.enqueueMany(events.slice(150));

    // Duplicates and bad messages straight onto the broker, as a faulty or hostile gate would send them.
    // With per-gate logins (embedded broker) the raw clients use gates g1 and g3's credentials.
    raw = await mqtt.connectAsync(brokerUrl, {
      clientId: gateMqttClientId(site.siteId, 'g1', 'raw'),
      protocolVersion: 4,
      ...loginOf('g1'),
    });
    raw3 = await mqtt.connectAsync(brokerUrl, {
      clientId: gateMqttClientId(site.siteId, 'g3', 'raw'),
      protocolVersion: 4,
      ...loginOf('g3'),
    });
    const pub = (topic: string, payload: string | Buffer) => raw!.publishAsync(topic, payload, { qos: 1 });
    const t1 = topics.gateEvents(site.siteId, 'g1');
    for (const e of events.slice(0, 40)) if (e.gateId === 'g1') await pub(t1, JSON.stringify(e));
    await pub(t1, '{"eventId": "not json');
    await pub(t1, JSON.stringify({ ...events[0], eventId: 'x' }));
    await pub(t1, JSON.stringify({ ...events[0], eventId: v7(), direction: 'sideways' }));
    await pub(t1, Buffer.alloc(70 * 1024, 0x41));
    // A gate that does not exist has no login on the embedded broker, whose ACL refuses the publish
    // (test/hub/mqtt-acl.spec.ts); an anonymous broker passes it on to be dead-lettered.
    if (opts.mqttUrl) await pub(topics.gateEvents(site.siteId, 'g9'), JSON.stringify({ ...events[0], eventId: v7(), gateId: 'g9' }));
    await pub(t1, JSON.stringify({ ...events[3], eventId: v7(), gateId: 'g2', zoneId: 'sanh-a' }));
    await raw3.publishAsync(topics.gateEvents(site.siteId, 'g3'), JSON.stringify({ ...events[2], eventId: v7(), zoneId: 'sanh-a' }), {
      qos: 1,
    });
    const expectedReasons = [
      'malformed_json',
      'oversized',
      'schema',
      'schema',
      'topic_mismatch',
      'unknown_gate',
      ...(opts.mqttUrl ? ['unknown_gate'] : []),
    ];

    const entries = events.filter((e) => e.direction === 'entry').length;
    const exits = events.length - entries;
    const today = await waitFor(
      async () => (await (await api(`${hub.url}/api/counts/today?siteId=${site.siteId}`)).json()) as CountsPayload,
      (c) => c.site.entries + c.site.exits >= events.length,
      30_000,
      'all events counted',
    );
    await waitFor(
      () => edge!.outbox.depth(),
      (d) => d === 0,
      10_000,
      'edge outbox drained',
    );
    await waitFor(
      async () => (await (await api(`${hub.url}/api/dead-letters?limit=50`)).json()) as unknown[],
      (l) => l.length >= expectedReasons.length,
      10_000,
      'dead letters',
    );
    // Let any stragglers (the duplicates) land before asserting exact numbers.
    await new Promise((r) => setTimeout(r, 500));

    const stored = await hub.app.get(DataSource).getRepository(GateEventEntity).countBy({ siteId: site.siteId });
    assert.equal(stored, events.length, 'each event stored exactly once');

    const finalToday = (await (await api(`${hub.url}/api/counts/today?siteId=${site.siteId}`)).json()) as CountsPayload;
    assert.deepEqual(finalToday.site, { entries, exits, occupancy: entries - exits });
    for (const g of gates) {
      const ge = events.filter((e) => e.gateId === g.gateId && e.direction === 'entry').length;
      const gx = events.filter((e) => e.gateId === g.gateId && e.direction === 'exit').length;
      assert.deepEqual(finalToday.gates[g.gateId], { entries: ge, exits: gx, occupancy: Math.max(0, ge - gx) }, `gate ${g.gateId}`);
    }
    assert.equal(finalToday.zones['sanh-b']!.entries, finalToday.gates['g3']!.entries);
    assert.ok(today.site.entries <= entries);

    // Counts over a range in 1-minute buckets add up to the same totals.
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const range = (await (await api(`${hub.url}/api/counts?siteId=${site.siteId}&from=${from}&to=${to}&bucket=1m`)).json()) as {
      totals: { entries: number; exits: number };
    };
    assert.deepEqual(range.totals, { entries, exits });
    const zoneRange = (await (
      await api(`${hub.url}/api/counts?siteId=${site.siteId}&zoneId=sanh-b&from=${from}&to=${to}&bucket=1h`)
    ).json()) as { totals: { entries: number } };
    assert.equal(zoneRange.totals.entries, finalToday.zones['sanh-b']!.entries);

    // Paged search walks every event exactly once.
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const url: string = `${hub.url}/api/events?siteId=${site.siteId}&limit=120${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await api(url)).json()) as { items: { eventId: string }[]; nextCursor: string | null };
      for (const it of page.items) seen.add(it.eventId);
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(seen.size, events.length);

    // Every refused message is kept with its reason; nothing refused was counted.
    const dead = (await (await api(`${hub.url}/api/dead-letters?limit=50`)).json()) as { reason: string; topic: string }[];
    const reasons = dead
      .filter((d) => d.topic.includes(site.siteId))
      .map((d) => d.reason)
      .sort();
    assert.deepEqual(reasons, expectedReasons);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    assert.match(metrics, /cg_ingest_rejected_total\{reason="malformed_json"\} 1/);
    assert.match(metrics, /cg_ingest_events_total\{result="stored"\} 300/);

    // The socket saw the counts move up to the final totals.
    await waitFor(
      () => updates.at(-1)?.site.entries ?? 0,
      (v) => v === entries,
      5000,
      'socket counts',
    );
    assert.deepEqual(updates.at(-1)!.site, finalToday.site);
    await waitFor(() => statuses.some((s) => s.state === 'online'), Boolean, 5000, 'gate online status on the socket');

    // Bad REST requests are refused with a clear reason.
    const bad = await api(`${hub.url}/api/counts?siteId=${site.siteId}&from=${to}&to=${from}`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /from/);
    assert.equal((await api(`${hub.url}/api/counts/today?siteId=nowhere`)).status, 404);
    assert.equal((await api(`${hub.url}/api/events?cursor=garbage`)).status, 400);
    assert.equal((await fetch(`${hub.url}/health`)).status, 200);
    assert.equal((await fetch(`${hub.url}/docs-json`)).status, 200);
  } finally {
    socket?.disconnect();
    await raw?.endAsync().catch(() => undefined);
    await raw3?.endAsync().catch(() => undefined);
    await edge?.close();
    const sessions = hub.app.get(MqttIngestTransport).sessionIds();
    await hub.close();
    // Persistent hub sessions would keep queueing on the shared Mosquitto after this test.
    if (opts.mqttUrl) await purgeSessions(opts.mqttUrl, sessions);
  }
}
