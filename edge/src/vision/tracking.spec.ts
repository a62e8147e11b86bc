import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteTracker } from './byte-tracker.js';
import { CountingLine } from './counting-line.js';
import { linearAssignment } from './linear-assignment.js';
import type { PersonDetection } from './person-detector.js';

const person = (cx: number, score = 0.6, w = 60, h = 160): PersonDetection => ({
  box: { x1: cx - w / 2, y1: 340 - h, x2: cx + w / 2, y2: 340 },
  score,
});

describe('linearAssignment', () => {
  it('finds the minimum-cost matching (checked against brute force)', () => {
    const permutations = (n: number): number[][] =>
      n === 0 ? [[]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 25, maxLength: 25 }),
        (n, flat) => {
          const cost = Array.from({ length: n }, (_, i) => flat.slice(i * n, i * n + n));
          const a = linearAssignment(cost, Infinity);
          const got = a.matches.reduce((s, [r, c]) => s + cost[r]![c]!, 0);
          const best = Math.min(...permutations(n).map((p) => p.reduce((s, c, r) => s + cost[r]![c]!, 0)));
          assert.equal(a.matches.length, n);
          assert.ok(Math.abs(got - best) < 1e-9, `${got} vs ${best}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves pairs above maxCost and surplus rows/cols unmatched', () => {
    const a = linearAssignment(
      [
        [0.1, 0.9],
        [0.95, 0.99],
        [0.2, 0.3],
      ],
      0.5,
    );
    assert.deepEqual(a.matches, [
      [0, 0],
      [2, 1],
    ]);
    assert.deepEqual(a.unmatchedRows, [1]);
    assert.deepEqual(linearAssignment([], 1, 3).unmatchedCols, [0, 1, 2]);
  });
});

describe('ByteTracker', () => {
  it('keeps ids stable for two people walking in opposite directions past each other', () => {
    const t = new ByteTracker();
    const seen = new Map<number, number[]>(); // id -> x centres
    for (let i = 0; i <= 30; i++) {
      const a = 50 + i * 18;
      const b = 590 - i * 18;
      // While they overlap the one behind is half hidden: lower score.
      const overlap = Math.abs(a - b) < 60;
      const tracks = t.update([person(a, 0.7), person(b, overlap ? 0.2 : 0.7)]);
      for (const tr of tracks) seen.set(tr.id, [...(seen.get(tr.id) ?? []), (tr.box.x1 + tr.box.x2) / 2]);
    }
    assert.equal(seen.size, 2, `ids: ${[...seen.keys()]}`);
    const [first, second] = [...seen.values()];
    assert.ok(first!.at(-1)! > first![0]!, 'first id keeps moving right');
    assert.ok(second!.at(-1)! < second![0]!, 'second id keeps moving left');
  });

  it('needs two hits to confirm, re-finds a briefly lost person with the same id, never reuses ids', () => {
    const t = new ByteTracker({ maxLost: 3 });
    assert.equal(t.update([person(100)]).length, 0, 'tentative after one hit');
    const [tr] = t.update([person(110)]);
    assert.ok(tr);
    t.update([]);
    t.update([]);
    assert.equal(t.update([person(140)])[0]?.id, tr.id, 're-found after 2 missed frames');
    for (let i = 0; i < 5; i++) t.update([]);
    assert.equal(t.all.length, 0, 'dropped after maxLost');
    t.update([person(300)]);
    const [again] = t.update([person(305)]);
    assert.ok(again!.id > tr.id);
  });

  it('ignores a single spurious detection', () => {
    const t = new ByteTracker();
    t.update([person(300)]);
    for (let i = 0; i < 3; i++) assert.deepEqual(t.update([]), []);
    assert.equal(t.all.length, 0);
  });
});

describe('CountingLine', () => {
  const line = () =>
    new CountingLine({
      id: 'door',
      from: { x: 320, y: 0 },
      to: { x: 320, y: 360 },
      inside: { x: 600, y: 180 },
      band: 14,
      anchor: 'bottom',
    });
  const at = (x: number) => ({ x1: x - 30, y1: 180, x2: x + 30, y2: 340 });

  it('counts toward the inside as entry, away as exit', () => {
    const l = line();
    const seq = (id: number, xs: number[]) => xs.map((x) => l.observe(id, at(x))).filter(Boolean);
    assert.deepEqual(seq(1, [100, 200, 300, 340, 400]), ['entry']);
    assert.deepEqual(seq(2, [500, 400, 330, 250, 100]), ['exit']);
  });

  it('does not count a turn-back or jitter inside the band', () => {
    const l = line();
    const xs = [100, 200, 300, 315, 325, 310, 329, 318, 250, 100];
    assert.deepEqual(xs.map((x) => l.observe(7, at(x))).filter(Boolean), []);
  });

  it('counts in and out again as one entry and one exit', () => {
    const l = line();
    assert.deepEqual([100, 400, 100].map((x) => l.observe(3, at(x))).filter(Boolean), ['entry', 'exit']);
  });

  it('ignores crossings past the ends of the segment', () => {
    const l = new CountingLine({
      id: 'half',
      from: { x: 320, y: 0 },
      to: { x: 320, y: 200 },
      inside: { x: 600, y: 100 },
      band: 10,
      anchor: 'bottom',
    });
    assert.deepEqual([100, 500].map((x) => l.observe(1, at(x))).filter(Boolean), [], 'feet at y=340, below the segment');
  });

  it('properties: never two events in a row in the same direction for one track', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 640 }), { minLength: 1, maxLength: 60 }), (xs) => {
        const l = line();
        const events = xs.map((x) => l.observe(1, at(x))).filter(Boolean);
        for (let i = 1; i < events.length; i++) assert.notEqual(events[i], events[i - 1]);
      }),
    );
  });
});
