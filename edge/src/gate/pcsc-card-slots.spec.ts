import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CscaTrustStore } from '../../../libs/cccd/src/index.js';
import type { Lane } from './lane.js';
import { PcscCardSlots } from './pcsc-card-slots.js';

test('card reader lanes with pcscd not answering: said once, tried again with backoff, the event loop never stalls, stop ends the retries', async () => {
  const socketPath = join(mkdtempSync(join(tmpdir(), 'cg-nopcscd-')), 'pcscd.comm');
  const errors: string[] = [];
  const lane = { id: 'l1' } as unknown as Lane;
  const slots = new PcscCardSlots([{ lane, reader: '/Virtual/' }], {} as CscaTrustStore, (e) => errors.push(e.message), {
    socketPath,
    retryMs: 20,
    maxRetryMs: 40,
  });
  // Before the probe, creating the binding without pcscd looped on the main thread at 100 % CPU.
  let ticks = 0;
  let longest = 0;
  let last = performance.now();
  const meter = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    ticks++;
  }, 5);
  await slots.start();
  await new Promise((r) => setTimeout(r, 400));
  slots.stop();
  clearInterval(meter);
  assert.equal(slots.watching, false);
  assert.ok(slots.attempts >= 4, `tried again (${slots.attempts} attempts in 400 ms at 20–40 ms backoff)`);
  assert.equal(errors.length, 1, `one report, not one per retry: ${errors.join(' | ')}`);
  assert.match(errors[0]!, /pcscd is not running: no socket on/);
  assert.ok(ticks > 40, `the event loop kept ticking (${ticks} ticks)`);
  assert.ok(longest < 200, `longest event-loop stall ${longest.toFixed(0)} ms`);
  const after = slots.attempts;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(slots.attempts, after, 'no retry after stop');
});
