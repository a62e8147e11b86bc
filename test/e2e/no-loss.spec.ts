import { test } from 'node:test';
import { PrivateMosquitto } from '../support/mosquitto.js';
import { PrivateNats } from '../support/nats.js';
import { waitFor } from '../support/wait-for.js';
import { runNoLossScenario, type RunningEdge } from './no-loss-scenario.js';

const outboxHolds = (edge: RunningEdge) =>
  waitFor(
    () => edge.outbox.depth(),
    (d) => d > 0,
    10_000,
    'events waiting in the edge outbox',
  );

test(
  'Mosquitto: a paused (slow) hub with thousands queued, then a broker restart mid-stream → every event stored and counted once',
  { timeout: 240_000 },
  async () => {
    const broker = new PrivateMosquitto({ anonymous: true }); // about queueing and restarts, not broker security
    await broker.start();
    try {
      await runNoLossScenario({
        prefix: 'nl',
        total: 8000,
        broker: {
          hubUrl: broker.url,
          edgeUrls: broker.url,
          // A service restart: Mosquitto writes its persistence file, stays down a moment while the
          // edge's outbox holds what it cannot send, and comes back on the same file.
          async disrupt(edge) {
            await broker.stop();
            await outboxHolds(edge);
            await new Promise((r) => setTimeout(r, 500));
            await broker.start();
          },
        },
      });
    } finally {
      await broker.stop();
    }
  },
);

test(
  'NATS (JetStream MQTT): a paused hub with thousands queued, the broker killed (SIGKILL) and restarted mid-stream → every event stored and counted once',
  { timeout: 240_000 },
  async () => {
    const broker = new PrivateNats();
    await broker.start();
    try {
      await runNoLossScenario({
        prefix: 'nn',
        total: 6000,
        broker: {
          hubUrl: broker.url,
          edgeUrls: broker.url,
          // A crash: no warning, the JetStream files stay, and it comes back on the same store.
          async disrupt(edge) {
            await broker.kill();
            await outboxHolds(edge);
            await broker.start();
          },
          drained: () =>
            waitFor(
              () => broker.mqttMessagesHeld(),
              (n) => n === 0,
              60_000,
              'JetStream holding nothing more for the hub',
            ).then(() => undefined),
        },
      });
    } finally {
      await broker.stop();
    }
  },
);
