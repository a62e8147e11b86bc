import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aedes } from 'aedes';
import { createServer } from 'node:net';
import { v7 } from 'uuid';
import { GateEventSchema, type GateEvent } from '../../../libs/contracts/src/index.js';
import { freePort } from '../../../test/support/ports.js';
import { testSite } from '../../../test/support/test-site.js';
import { waitFor } from '../../../test/support/wait-for.js';
import { startEdge } from '../edge-app.js';
import { InvalidEventError } from './outbox.service.js';

test('events written while the broker is unreachable survive an agent restart and are sent oldest first', { timeout: 60_000 }, async () => {
  const site = testSite('ob');
  const port = await freePort();
  const cfg = site.edgeConfig(`mqtt://127.0.0.1:${port}`);
  const events: GateEvent[] = Array.from({ length: 120 }, (_, i) => ({
    eventId: v7(),
    siteId: site.siteId,
    zoneId: 'sanh-a',
    gateId: 'g1',
    direction: i % 2 ? 'exit' : 'entry',
    source: 'camera',
    occurredAt: new Date(Date.now() + i).toISOString(),
  }));

  // No broker yet: everything waits in the outbox, then the agent stops.
  const first = await startEdge(cfg, false);
  first.outbox.enqueueMany(events);
  assert.equal(first.outbox.depth(), 120);
  assert.throws(() => first.outbox.enqueue({ ...events[0]!, eventId: v7(), gateId: 'g9' }), InvalidEventError);
  assert.throws(() => first.outbox.enqueue({ ...events[0]!, eventId: 'nope' }), /eventId must be a UUIDv7/);
  assert.throws(() => first.outbox.enqueue({ ...events[0]!, eventId: v7(), zoneId: 'sanh-b' }), /is in zone sanh-a/);
  assert.equal(first.outbox.depth(), 120, 'refused events are not stored');
  await first.close();

  // A broker appears and the agent starts again on the same outbox file.
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const received: string[] = [];
  await new Promise<void>((r) =>
    broker.subscribe(
      `cg/v1/sites/${site.siteId}/gates/+/events`,
      (packet, cb) => {
        received.push(GateEventSchema.parse(JSON.parse(packet.payload.toString())).eventId);
        cb();
      },
      r,
    ),
  );
  const second = await startEdge(cfg, false);
  try {
    await waitFor(
      () => second.outbox.depth(),
      (d) => d === 0,
      20_000,
      'outbox drained after restart',
    );
    assert.deepEqual(
      received,
      events.map((e) => e.eventId),
      'every event once, in the order written',
    );
  } finally {
    await second.close();
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  }
});
