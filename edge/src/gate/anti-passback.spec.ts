import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AntiPassback } from './anti-passback.js';

test('anti-passback: entry refused until exit or expiry, and the state survives an agent restart', () => {
  let now = 1_000_000;
  const clock = () => now;
  const path = join(mkdtempSync(join(tmpdir(), 'cg-apb-')), 'anti-passback.db');
  const a = new AntiPassback(3_600_000, clock, path);
  a.entered('sanh-a', 'p1');
  a.entered('sanh-a', 'p2');
  a.exited('sanh-a', 'p2');
  assert.equal(a.isInside('sanh-a', 'p1'), true);
  assert.equal(a.isInside('sanh-b', 'p1'), false, 'zones are separate');
  assert.equal(a.isInside('sanh-a', 'p2'), false);
  a.close();

  const b = new AntiPassback(3_600_000, clock, path);
  assert.equal(b.isInside('sanh-a', 'p1'), true, 'still inside after a restart');
  assert.equal(b.isInside('sanh-a', 'p2'), false);
  now += 3_600_001;
  assert.equal(b.isInside('sanh-a', 'p1'), false, 'expired after the time-to-live');
  b.close();

  const c = new AntiPassback(3_600_000, clock, path);
  assert.equal(c.isInside('sanh-a', 'p1'), false, 'expiry is persisted too');
  c.close();
});
