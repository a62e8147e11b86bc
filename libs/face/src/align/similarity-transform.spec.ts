import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyAffine, invertAffine } from './geometry.js';
import { dlibChipTemplate, fivePointsFrom68 } from './dlib-face-template.js';
import { estimateSimilarity } from './similarity-transform.js';

describe('similarity transform', () => {
  it('recovers any rotation, scale and translation exactly from noiseless points', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: 0.05, max: 20, noNaN: true }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        (theta, s, tx, ty) => {
          const m = { a: s * Math.cos(theta), b: -s * Math.sin(theta), c: tx, d: s * Math.sin(theta), e: s * Math.cos(theta), f: ty };
          const from = dlibChipTemplate(150);
          const to = from.map((p) => applyAffine(m, p));
          const est = estimateSimilarity(from, to);
          for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) assert.ok(Math.abs(est[k] - m[k]) < 1e-6 * (1 + Math.abs(m[k])), k);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('inverts affine maps', () => {
    const m = { a: 2, b: -0.5, c: 10, d: 0.5, e: 2, f: -3 };
    const p = { x: 17, y: -4 };
    const back = applyAffine(invertAffine(m), applyAffine(m, p));
    assert.ok(Math.abs(back.x - p.x) < 1e-9 && Math.abs(back.y - p.y) < 1e-9);
  });

  it("places dlib's template eyes level and symmetric in the 150 px chip", () => {
    const full = [...Array.from({ length: 17 }, () => ({ x: 0, y: 0 })), ...dlibChipTemplate(150)];
    const [le, re, nose, ml, mr] = fivePointsFrom68(full);
    assert.ok(Math.abs(le.y - re.y) < 1e-9);
    assert.ok(Math.abs(75 - (le.x + re.x) / 2) < 1.5);
    assert.ok(nose.y > le.y && ml.y > nose.y && Math.abs(ml.y - mr.y) < 1e-9);
  });
});
