import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GateEvent } from '../../../libs/contracts/src/index.js';
import type { EdgeConfig } from '../config/edge-config.schema.js';
import type { OutboxService } from '../outbox/outbox.service.js';
import { TrafficSimulator } from './traffic-simulator.js';

const cfg = { site: { id: 's1' }, gates: [{ id: 'g1', zone: 'z1' }] } as unknown as EdgeConfig;

test('the simulator stops by itself once its outbox refuses events (closed at shutdown), with the reason', async () => {
  const taken: GateEvent[] = [];
  let open = true;
  const outbox = {
    enqueueMany(batch: GateEvent[]) {
      if (!open) throw new TypeError('The database connection is not open');
      taken.push(...batch);
    },
  } as unknown as OutboxService;
  const sim = new TrafficSimulator(cfg, outbox, { rate: 500 });
  sim.start();
  while (taken.length < 20) await new Promise((r) => setTimeout(r, 10));
  open = false;
  while (!sim.failure) await new Promise((r) => setTimeout(r, 10));
  const produced = sim.produced;
  await new Promise((r) => setTimeout(r, 100));
  assert.match(sim.failure.message, /not open/);
  assert.equal(sim.produced, produced, 'nothing more produced after the failure');
  assert.equal(sim.produced, taken.length, 'every counted event reached the outbox');
  sim.stop();
});
