import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type Client } from 'aedes';
import mqtt from 'mqtt';
import { hubConfigFromEnv } from '../config/hub-config.js';
import { ExternalMqtt } from './external-mqtt.js';
import { waitFor } from '../../../../test/support/wait-for.js';

/** A plain aedes on a free port standing in for an external broker; records the PUBACKs it receives. */
async function broker(): Promise<{ aedes: Aedes; server: Server; url: string; acks: string[]; client(id: string): Client | undefined }> {
  const aedes = await Aedes.createBroker();
  const acks: string[] = [];
  aedes.on('ack', (packet) => {
    if (packet && 'payload' in packet) acks.push(String(packet.payload));
  });
  const server = createServer(aedes.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = (aedes as unknown as { clients: Record<string, Client> }).clients;
  return { aedes, server, url, acks, client: (id) => clients[id] };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test(
  'external-broker ingest: messages are read while earlier ones are unacknowledged; a PUBACK goes out only after its handler resolves, in arrival order; none from a dropped connection',
  { timeout: 30_000 },
  async () => {
    const b = await broker();
    const cfg = hubConfigFromEnv({}, { mqttUrl: b.url, instanceId: 'ack-test' });
    const hubMqtt = new ExternalMqtt(cfg);
    const pub = await mqtt.connectAsync(b.url, { clientId: 'pub', clean: true, protocolVersion: 4 });
    const seen: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    try {
      const consumer = hubMqtt.consume({ clientId: 'hub-in', clean: false, subscriptions: { 't/#': { qos: 1 } } }, (_topic, payload) => {
        const key = `${payload.toString()}#${seen.filter((s) => s === payload.toString()).length}`;
        seen.push(payload.toString());
        const d = deferred();
        gates.set(key, d);
        return d.promise;
      });
      await consumer.subscribed;
      for (const m of ['m1', 'm2', 'm3']) await pub.publishAsync('t/x', m, { qos: 1 });

      // All three reach the handler although none is acknowledged: the batcher can group them.
      await waitFor(
        () => seen.length,
        (n) => n === 3,
        5000,
        'three messages handed over',
      );
      assert.deepEqual(b.acks, []);
      // m2 done first: its PUBACK waits for m1's (arrival order).
      gates.get('m2#0')!.resolve();
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(b.acks, [], 'no PUBACK before every earlier message is handled');
      gates.get('m1#0')!.resolve();
      await waitFor(
        () => b.acks.length,
        (n) => n === 2,
        5000,
        'm1 and m2 acknowledged',
      );
      assert.deepEqual(b.acks, ['m1', 'm2']);

      // m3 is still being handled when the connection drops: the broker redelivers it on the new
      // connection, and the old connection's late completion must not acknowledge that copy.
      b.client('hub-in')!.conn.destroy();
      await waitFor(
        () => seen.filter((s) => s === 'm3').length,
        (n) => n === 2,
        10_000,
        'm3 redelivered after the reconnect',
      );
      gates.get('m3#0')!.resolve();
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(b.acks, ['m1', 'm2'], 'the first copy finishing does not acknowledge the redelivered one');
      gates.get('m3#1')!.resolve();
      await waitFor(
        () => b.acks.length,
        (n) => n === 3,
        5000,
        'the redelivered m3 acknowledged once handled',
      );
      assert.deepEqual(b.acks, ['m1', 'm2', 'm3']);
    } finally {
      await pub.endAsync();
      await hubMqtt.onApplicationShutdown();
      await new Promise<void>((r) => b.aedes.close(() => r()));
      await new Promise<void>((r) => b.server.close(() => r()));
    }
  },
);
