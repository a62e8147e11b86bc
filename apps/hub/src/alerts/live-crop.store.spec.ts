import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../time/clock.js';
import { LiveCropStore } from './live-crop.store.js';

// With the hub's clock injected, the crop's lifetimes (30 min for an alert's crop, 2 min for a crop
// waiting for the hub's own check) are tested without waiting for them.

function store() {
  let t = Date.parse('2026-03-01T08:00:00Z');
  const clock: Clock = { now: () => t };
  return { crops: new LiveCropStore(clock), advance: (ms: number) => (t += ms) };
}

test("an alert's live crop is shown for 30 minutes, then gone", () => {
  const { crops, advance } = store();
  crops.keep('d1', 'jpeg-1');
  advance(30 * 60_000);
  assert.equal(crops.get('d1'), 'jpeg-1', 'still there at 30 min');
  advance(1);
  assert.equal(crops.get('d1'), null, 'gone after 30 min');
});

test("another decision's crop waits 2 minutes for the hub's own check: promoted in time it is kept, later it is not", () => {
  const { crops, advance } = store();
  crops.keep('late', 'jpeg-late', false);
  crops.keep('soon', 'jpeg-soon', false);
  assert.equal(crops.get('soon'), null, 'not shown before an alert');
  advance(120_000);
  crops.promote('soon');
  assert.equal(crops.get('soon'), 'jpeg-soon');
  advance(1);
  crops.promote('late');
  assert.equal(crops.get('late'), null, 'the pending crop expired before the alert');
  // An alert raised before its crop arrived: the crop is kept when it comes.
  crops.promote('early');
  advance(60_000);
  crops.keep('early', 'jpeg-early', false);
  assert.equal(crops.get('early'), 'jpeg-early');
});
