import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { v7 } from 'uuid';
import { SocketEvents, topics, type CountsPayload, type CountsResponse, type GateEvent } from '../../../../libs/contracts/src/index.js';
import { authedFetch, issueGateCredentials, login } from '../../../../test/support/hub-auth.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';

/**
 * The IOC wall's per-minute chart, fed the way the page feeds it: from the per-minute counts each
 * `counts:update` carries. A burst of crossings larger than the ticker's 50, with refusals and door
 * alarms mixed in, must chart exactly the stored crossings.
 */
test(
  'IOC per-minute chart: driven by stored counts, not the ticker; bursts and refusals charted exactly',
  { timeout: 60_000 },
  async () => {
    const { hub, siteA } = await startTwoSiteHub();
    let gate: mqtt.MqttClient | undefined;
    let wall: Socket | undefined;
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const admin = authedFetch(adminToken);
      const key = (
        (await (await admin(`${hub.url}/api/api-keys`, { method: 'POST', body: { name: 'wall', siteIds: [siteA] } })).json()) as {
          key: string;
        }
      ).key;
      wall = io(hub.url, { transports: ['websocket'], auth: { apiKey: key }, reconnection: false });
      const chart = new Map<string, { entries: number; exits: number }>();
      wall.on(SocketEvents.countsUpdate, (p: CountsPayload) => {
        for (const m of p.minutes ?? []) chart.set(m.start, { entries: m.entries, exits: m.exits });
      });
      await new Promise<void>((r) => wall!.once('connect', () => r()));
      assert.deepEqual(await wall.timeout(5000).emitWithAck(SocketEvents.subscribe, { siteIds: [siteA] }), { ok: true });

      const c = (await issueGateCredentials(hub.url, adminToken, siteA, ['g1'])).get('g1')!;
      gate = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
        username: c.username,
        password: c.password,
        clientId: c.username,
        protocolVersion: 4,
      });
      // One minute well inside the current hour, away from a minute boundary.
      const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
      const at = new Date(minute + 30_000).toISOString();
      const base = { siteId: siteA, zoneId: 'sanh', gateId: 'g1', source: 'card' as const, occurredAt: at };
      const events: GateEvent[] = [];
      for (let i = 0; i < 150; i++) events.push({ ...base, eventId: v7(), direction: i % 3 === 2 ? 'exit' : 'entry', source: 'camera' });
      for (let i = 0; i < 20; i++)
        events.push({
          ...base,
          eventId: v7(),
          direction: 'entry',
          decision: { decisionId: `deny-${i}`, outcome: 'deny', reasons: ['face_mismatch'] },
        });
      for (let i = 0; i < 5; i++)
        events.push({
          ...base,
          eventId: v7(),
          direction: 'entry',
          decision: { decisionId: `door-${i}`, outcome: 'deny', reasons: ['door_forced'], method: 'none' },
        });
      // All in flight at once: the hub stores them in few batches.
      await Promise.all(events.map((e) => gate!.publishAsync(topics.gateEvents(siteA, 'g1'), JSON.stringify(e), { qos: 1 })));

      const start = new Date(minute).toISOString();
      await waitFor(
        () => chart.get(start),
        (b) => b?.entries === 100 && b.exits === 50,
        10_000,
        'the chart shows the 150 crossings of that minute',
      );
      const stored = (await (
        await admin(`${hub.url}/api/counts?siteId=${siteA}&from=${start}&to=${new Date(minute + 60_000).toISOString()}&bucket=1m`)
      ).json()) as CountsResponse;
      assert.deepEqual(
        stored.buckets.map((b) => ({ entries: b.entries, exits: b.exits })),
        [chart.get(start)],
        'the chart agrees with the stored counts',
      );
    } finally {
      wall?.disconnect();
      await gate?.endAsync();
      await hub.close();
    }
  },
);
