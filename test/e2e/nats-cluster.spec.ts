import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GateLinks } from '../../edge/src/mqtt/gate-links.js';
import { PrivateNatsCluster } from '../support/nats.js';
import { waitFor } from '../support/wait-for.js';
import { runNoLossScenario } from './no-loss-scenario.js';

test(
  "NATS cluster of three (JetStream, MQTT streams R3): edge and paused hub both start on one node, which is SIGKILLed mid-stream → both fail over to the others (the hub's persistent sessions with them) and every event is stored and counted once",
  { timeout: 300_000 },
  async () => {
    const cluster = await PrivateNatsCluster.create(3);
    const [first, second, hubNode] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    try {
      await cluster.start();
      let killed = 0;
      await runNoLossScenario({
        prefix: 'nc',
        total: 6000,
        broker: {
          // The hub knows two nodes (MQTT_URL as a list) and starts on the one that will die, so its
          // persistent sessions (JetStream consumers, replicated) must be picked up on another node.
          hubUrl: `${first.url},${hubNode.url}`,
          // The edge knows every node; it starts on the first.
          edgeUrls: [first.url, second.url, hubNode.url],
          async disrupt(edge) {
            const links = [...edge.ctx.get(GateLinks).entries()];
            const ports = new Set(links.map(([, c]) => Number(c.options.port)));
            assert.deepEqual([...ports], [first.mqttPort], 'every gate publishes through the first node');
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
          // A surviving node holds a replica of MQTT's QoS 1 stream and its consumers: nothing pending
          // and nothing unacknowledged for any subscription means nothing is left for the hub.
          drained: () =>
            waitFor(
              () => hubNode.mqttUndelivered(),
              (u) => u.total === 0,
              60_000,
              'JetStream having nothing more to deliver or redeliver to the hub',
            ).then(() => undefined),
        },
      });
      assert.ok(killed > 0 && !first.running, 'the first node stayed down to the end: two of three nodes carried the rest');
    } finally {
      await cluster.stop();
    }
  },
);
