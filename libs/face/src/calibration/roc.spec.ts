import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePairsCsv } from './labelled-pairs.js';
import { REVIEW_FAR, reviewLoadPer1000, useThresholds, type Scores } from './evaluate.js';
import { equalErrorRate, ratesAt, thresholdAtFar } from './roc.js';

describe('verification error rates', () => {
  const genuine = [0.95, 0.96, 0.97, 0.91, 0.99];
  const impostor = Array.from({ length: 100 }, (_, i) => 0.5 + i * 0.004); // 0.5 … 0.896

  it('counts accepts at a threshold (score ≥ threshold accepts)', () => {
    assert.deepEqual(ratesAt(genuine, impostor, 0.95), { threshold: 0.95, tar: 0.8, far: 0 });
    assert.equal(ratesAt(genuine, impostor, 0.892).far, 0.02);
  });

  it('puts the FAR threshold between the last allowed impostor and the next genuine score', () => {
    const zero = thresholdAtFar(genuine, impostor, 0.001);
    assert.equal(zero.far, 0);
    assert.equal(zero.tar, 1);
    assert.ok(zero.threshold > 0.896 && zero.threshold <= 0.91);
    const one = thresholdAtFar(genuine, impostor, 0.01);
    assert.equal(one.far, 0.01);
  });

  it('finds the equal error rate where FAR and FRR cross', () => {
    assert.equal(equalErrorRate(genuine, impostor).eer, 0);
    const g = [0.1, 0.6, 0.7, 0.8];
    const i = [0.2, 0.3, 0.4, 0.65];
    const { eer } = equalErrorRate(g, i);
    assert.equal(eer, 0.25);
  });

  it('parses pairs.csv and rejects bad labels', () => {
    assert.deepEqual(parsePairsCsv('a,b,same\nx/1.jpg,x/2.jpg,1\nx/1.jpg,y/1.jpg,0\n'), [
      { a: 'x/1.jpg', b: 'x/2.jpg', same: true },
      { a: 'x/1.jpg', b: 'y/1.jpg', same: false },
    ]);
    assert.throws(() => parsePairsCsv('a,b,same\nx,y,maybe'));
    assert.throws(() => parsePairsCsv('left,right\nx,y'));
  });
});

describe('REVIEW / possible-match floor (one rule for every use)', () => {
  // Pooled impostors low; group "a" (300 pairs) has its top 1 % high; group "b" (50 pairs, too few to
  // resolve 1 %) has one very high impostor that must not decide the floor alone.
  const a = Array.from({ length: 300 }, (_, i) => (i < 3 ? 0.7 - i * 0.01 : 0.3 + (i % 50) * 0.001)); // 0.70, 0.69, 0.68, then ≤ 0.349
  const b = [0.8, ...Array.from({ length: 49 }, () => 0.2)];
  const genuine = [0.9, 0.92, 0.95];
  // Group c: many low impostors, so the pooled 1 % point sits lower than group a's.
  const c = Array.from({ length: 1000 }, () => 0.1);
  const byGroup = new Map<string, Scores>([
    ['a', { genuine, impostor: a }],
    ['b', { genuine: [], impostor: b }],
    ['c', { genuine: [], impostor: c }],
  ]);
  const overall: Scores = { genuine, impostor: [...a, ...b, ...c] };
  const uses = useThresholds({ overall, byGroup });

  it('is the lowest score where the worst group large enough to resolve 1 % keeps its impostors at ≤ 1 %', () => {
    assert.equal(REVIEW_FAR, 0.01);
    for (const use of ['card', 'alert', 'admit'] as const) {
      const t = uses[use];
      // Group a: 3 of 300 may be in the band; the 4th highest (0.349) must stay out — the floor sits just above it.
      assert.ok(t.review > 0.349 && t.review < 0.35, `${use} floor ${t.review}`);
      assert.ok(t.atReviewByGroup.a!.far <= 0.01);
      assert.ok(ratesAt([], a, t.review - 0.002).far > 0.01, 'just below the floor group a passes 1 %: it is the lowest such score');
      // Group b's lone 0.8 does not decide the floor (it would leave no band), its rate is reported.
      assert.equal(t.atReviewByGroup.b!.far, 1 / 50);
      assert.ok(t.review <= t.accept);
    }
  });

  it('gives the review load security must staff for: 1 000 · (1 − (1 − FAR)^N)', () => {
    assert.equal(reviewLoadPer1000(0, 1000), 0);
    assert.ok(Math.abs(reviewLoadPer1000(0.0002, 10) - 1.998) < 0.001);
    assert.ok(Math.abs(reviewLoadPer1000(0.01, 100) - 633.97) < 0.01);
  });
});
