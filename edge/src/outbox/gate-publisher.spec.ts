import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Aedes } from 'aedes';
import { connectAsync } from 'mqtt';
import { v7 } from 'uuid';
import { freePort } from '../../../test/support/ports.js';
import { waitFor } from '../../../test/support/wait-for.js';
import { MqttGateLink } from '../mqtt/gate-link.js';
import { GatePublisher } from './gate-publisher.js';
import { OutboxStore } from './outbox.store.js';

/** An aedes broker that holds every PUBACK until `release()`: the broker acknowledges late. */
async function slowAckBroker() {
  const broker = await Aedes.createBroker();
  const held: (() => void)[] = [];
  let holding = true;
  let published = 0;
  broker.authorizePublish = (_client, _packet, cb) => {
    published++;
    if (holding) held.push(() => cb(null));
    else cb(null);
  };
  const port = await freePort();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `mqtt://127.0.0.1:${port}`,
    held: () => held.length,
    published: () => published,
    release: () => {
      holding = false;
      held.splice(0).forEach((f) => f());
    },
    close: async () => {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A slow-acking broker, a connected gate client and an outbox file holding five rows; all removed after the test. */
async function rig(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'cg-pub-'));
  const broker = await slowAckBroker();
  const client = await connectAsync(broker.url, { clientId: 'gate.s.g1', reconnectPeriod: 0 });
  t.after(async () => {
    await client.endAsync(true);
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = new OutboxStore(join(dir, 'outbox.db'));
  store.append(
    Array.from({ length: 5 }, () => ({ eventId: v7(), gateId: 'g1', topic: 'cg/v1/sites/s/gates/g1/events', payload: Buffer.from('{}') })),
  );
  return { dir, broker, client, store };
}

test(
  'a PUBACK that comes after the publisher closed touches nothing closed; its row is kept for the next start',
  { timeout: 30_000 },
  async (t) => {
    const { dir, broker, client, store } = await rig(t);
    let removesAfterClose = 0;
    let closed = false;
    const remove = store.remove.bind(store);
    store.remove = (seqs) => {
      if (closed) removesAfterClose++;
      remove(seqs);
    };
    const pub = new GatePublisher('g1', new MqttGateLink('g1', client), store, 10);
    pub.kick();
    await waitFor(
      () => broker.held(),
      (n) => n === 5,
      10_000,
      'five publishes awaiting PUBACK',
    );

    await pub.quiesce(20); // gives up on the five owed PUBACKs
    assert.equal(pub.inflightCount, 5);
    pub.close();
    store.close();
    closed = true;

    let pubacks = 0;
    client.on('packetreceive', (p) => p.cmd === 'puback' && pubacks++);
    broker.release();
    await waitFor(
      () => pubacks,
      (n) => n === 5,
      10_000,
      'the late PUBACKs reached the client',
    );
    // The old publisher deleted acknowledged rows 5 ms after a PUBACK: a 20 ms timer set after the
    // PUBACKs fires after any such flush would have.
    await sleep(20);
    assert.equal(removesAfterClose, 0, 'nothing was deleted from the closed store');

    const reopened = new OutboxStore(join(dir, 'outbox.db'));
    assert.equal(reopened.depth(), 5, 'rows acknowledged only after close are resent at the next start');
    reopened.close();
  },
);

test(
  'quiesce waits for the PUBACKs already owed, publishes nothing new, and close deletes the acknowledged rows',
  { timeout: 30_000 },
  async (t) => {
    const { broker, client, store } = await rig(t);
    const pub = new GatePublisher('g1', new MqttGateLink('g1', client), store, 3); // three in flight, two waiting
    pub.kick();
    await waitFor(
      () => broker.held(),
      (n) => n === 3,
      10_000,
      'three publishes awaiting PUBACK',
    );

    // A bound far beyond the test's timeout: quiesce can only return because the PUBACKs came.
    const quiesced = pub.quiesce(10 * 60_000);
    broker.release();
    await quiesced;
    assert.equal(pub.inflightCount, 0);
    pub.close();
    assert.equal(store.depth(), 2, 'the three acknowledged rows are deleted, the two never sent are kept');
    pub.kick();
    await sleep(20);
    assert.equal(broker.published(), 3, 'the broker saw only the three publishes made before quiesce');
    assert.equal(store.depth(), 2, 'a closed publisher sends nothing more');
    store.close();
  },
);
