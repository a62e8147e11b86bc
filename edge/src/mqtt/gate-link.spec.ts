import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { freePort } from '../../../test/support/ports.js';
import { waitFor } from '../../../test/support/wait-for.js';
import { MqttGateLink } from './gate-link.js';

/** An aedes broker on a fixed port that can be stopped and started again (a broker outage). */
async function broker(port: number) {
  const b = await Aedes.createBroker();
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    b.handle(s);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    b,
    stop: async () => {
      await new Promise<void>((r) => b.close(() => r()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test(
  'gate link (the edge MQTT port): messages by exact topic, subscriptions renewed after a broker outage, live data dropped while offline, QoS 1 acknowledged',
  { timeout: 30_000 },
  async () => {
    const port = await freePort();
    let br = await broker(port);
    const link = new MqttGateLink(
      'g1',
      mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'gate.s.g1', reconnectPeriod: 100, clean: true }),
    );
    const peer = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'peer', reconnectPeriod: 0 });
    try {
      const commands: string[] = [];
      const other: string[] = [];
      let subacks = 0;
      await waitFor(
        () => link.connected,
        (c) => c,
        5000,
        'link up',
      );
      let connects = 0;
      link.onConnect(() => connects++);
      link.subscribe(
        'cg/v1/sites/s/gates/g1/commands',
        1,
        (p) => commands.push(p.toString()),
        (err) => !err && subacks++,
      );
      const stopOther = link.subscribe('cg/v1/sites/s/watchlist', 1, (p) => other.push(p.toString()));
      await waitFor(
        () => subacks,
        (n) => n === 1,
        5000,
        'first SUBACK',
      );
      await peer.publishAsync('cg/v1/sites/s/gates/g1/commands', 'c1', { qos: 1 });
      await peer.publishAsync('cg/v1/sites/s/watchlist', 'w1', { qos: 1 });
      await waitFor(
        () => commands.length + other.length,
        (n) => n === 2,
        5000,
        'both messages',
      );
      assert.deepEqual(commands, ['c1'], 'each handler hears only its own topic');
      assert.deepEqual(other, ['w1']);
      // A handler that stopped listening hears nothing more (a closed watchlist cache on a shared link).
      stopOther();
      await peer.publishAsync('cg/v1/sites/s/watchlist', 'w2', { qos: 1 });
      await peer.publishAsync('cg/v1/sites/s/gates/g1/commands', 'c1b', { qos: 1 });
      await waitFor(
        () => commands.length,
        (n) => n === 2,
        5000,
        'the later command',
      );
      assert.deepEqual(other, ['w1']);

      // QoS 1: `done` after the broker's PUBACK; the peer receives it.
      const seen: string[] = [];
      await peer.subscribeAsync('cg/v1/sites/s/gates/g1/lanes', { qos: 1 });
      peer.on('message', (t, p) => t.endsWith('/lanes') && seen.push(p.toString()));
      const acked = await new Promise<Error | undefined>((r) => link.publish('cg/v1/sites/s/gates/g1/lanes', 'q1', {}, r));
      assert.equal(acked, undefined);
      assert.equal(link.sendLive('cg/v1/sites/s/gates/g1/lanes', 'live1'), true);
      await waitFor(
        () => seen,
        (s) => s.includes('q1') && s.includes('live1'),
        5000,
        'published messages at the peer',
      );

      // Broker outage: live data is dropped (not queued), the link says so; a listener removed stays removed.
      const stopCounting = link.onClose(() => undefined);
      stopCounting();
      await peer.endAsync(true);
      await br.stop();
      await waitFor(
        () => link.connected,
        (c) => !c,
        5000,
        'link down',
      );
      assert.equal(link.sendLive('cg/v1/sites/s/gates/g1/lanes', 'lost'), false);

      // Back: the link reconnects and subscribes again by itself; commands reach the same handler.
      br = await broker(port);
      await waitFor(
        () => subacks,
        (n) => n === 2,
        10_000,
        'SUBACK after the reconnect',
      );
      assert.equal(connects, 1, 'the reconnect (the first connect came before the listener)');
      assert.deepEqual(link.broker, { host: '127.0.0.1', port });
      const peer2 = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'peer2', reconnectPeriod: 0 });
      await peer2.publishAsync('cg/v1/sites/s/gates/g1/commands', 'c2', { qos: 1 });
      await waitFor(
        () => commands,
        (c) => c.length === 3,
        5000,
        'command after the outage',
      );
      assert.deepEqual(commands, ['c1', 'c1b', 'c2']);
      await peer2.endAsync(true);
    } finally {
      await link.close();
      await peer.endAsync(true).catch(() => undefined);
      await br.stop();
    }
  },
);
