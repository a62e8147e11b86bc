import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GateLinks } from '../../edge/src/mqtt/gate-links.js';
import { PrivateNatsCluster } from '../support/nats.js';
import { waitFor } from '../support/wait-for.js';
import { runNoLossScenario } from './no-loss-scenario.js';

test(
  'NATS cluster of three (JetStream, MQTT streams R3): the edge publishes through one node, the paused hub reads through another; the edge\'s node is SIGKILLed mid-stream → the edge fails over and every event is stored and counted once',
  { timeout: 300_000 },
  async () => {
    const cluster = await PrivateNatsCluster.create(3);
    const [first, second, hubNode] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0], typeof cluster.nodes[0]];
    try {
      await cluster.start();
      let killed = 0;
      await runNoLossScenario({
        prefix: 'nc',
        total: 6000,
        broker: {
          hubUrl: hubNode.url,
          // The edge knows every node; it starts on the first.
          edgeUrls: [first.url, second.url, hubNode.url],
          async disrupt(edge) {
            const links = [...edge.ctx.get(GateLinks).entries()];
            const ports = new Set(links.map(([, c]) => Number(c.options.port)));
            assert.deepEqual([...ports], [first.mqttPort], 'every gate publishes through the first node, not the hub\'s');
            await first.kill();
            killed = first.mqttPort;
            // Each gate's link finds the next node by itself (mqtt.js servers rotation), with the outbox
            // resending what the dead node had not acknowledged.
            await waitFor(
              () => links.map(([g, c]) => `${g}:${c.connected ? Number(c.options.port) : 'down'}`),
              (s) => s.every((x) => !x.endsWith(':down') && !x.endsWith(`:${killed}`)),
              60_000,
              'every gate connected to a surviving node',
            );
          },
          // The hub's node holds a replica of MQTT's QoS 1 stream: empty means nothing is left for the hub.
          drained: () => waitFor(() => hubNode.mqttMessagesHeld(), (n) => n === 0, 60_000, 'JetStream holding nothing more for the hub').then(() => undefined),
        },
      });
      assert.ok(killed > 0 && !first.running, 'the edge\'s node stayed down to the end: two of three nodes carried the rest');
    } finally {
      await cluster.stop();
    }
  },
);
