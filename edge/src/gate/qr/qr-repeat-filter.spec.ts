import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QrRepeatFilter } from './qr-repeat-filter.js';

test('the same code within the window counts once; the window slides while it stays in view', () => {
  let now = 0;
  const f = new QrRepeatFilter(3000, () => now);
  assert.equal(f.accept('A'), true);
  for (now = 250; now <= 5000; now += 250) assert.equal(f.accept('A'), false, `frame at ${now} ms`);
  assert.equal(f.accept('B'), true, 'a different code is new');
  now = 8000; // A gone for 3 s
  assert.equal(f.accept('A'), true);
  now = 9000;
  assert.equal(f.accept('A'), false, 'scanned twice within a few seconds');
});
