import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePairsCsv } from './labelled-pairs.js';
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
