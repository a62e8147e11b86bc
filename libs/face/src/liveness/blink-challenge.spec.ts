import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point } from '../align/geometry.js';
import { BlinkDetector, eyeAspectRatio } from './blink-challenge.js';

/** 68 landmarks with both eyes of the given openness (eye height / width). */
function face(openness: number): Point[] {
  const p: Point[] = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 0 }));
  for (const [start, cx] of [
    [36, 100],
    [42, 160],
  ] as const) {
    const h = 15 * openness;
    p[start] = { x: cx - 15, y: 100 };
    p[start + 1] = { x: cx - 5, y: 100 - h };
    p[start + 2] = { x: cx + 5, y: 100 - h };
    p[start + 3] = { x: cx + 15, y: 100 };
    p[start + 4] = { x: cx + 5, y: 100 + h };
    p[start + 5] = { x: cx - 5, y: 100 + h };
  }
  return p;
}

describe('blink challenge', () => {
  it('measures the eye aspect ratio', () => {
    assert.ok(Math.abs(eyeAspectRatio(face(0.3)) - 0.3) < 1e-9);
  });

  it('passes open → closed → open, and only that', () => {
    const blink = new BlinkDetector();
    assert.equal([0.3, 0.31, 0.29].map((o) => blink.push(face(o))).some(Boolean), false);
    assert.equal(blink.push(face(0.08)), false, 'closed is not yet a blink');
    assert.equal(blink.push(face(0.3)), true);
    assert.equal(blink.passed, true);
  });

  it('does not pass a still face, landmark jitter, or eyes never seen open', () => {
    const still = new BlinkDetector();
    for (let i = 0; i < 40; i++) still.push(face(0.3 + (i % 3) * 0.01 - 0.01));
    assert.equal(still.passed, false);
    const squint = new BlinkDetector();
    for (const o of [0.1, 0.05, 0.1, 0.05, 0.1]) squint.push(face(o));
    assert.equal(squint.passed, false, 'below the open-eye floor nothing counts');
    const closing = new BlinkDetector();
    for (const o of [0.3, 0.1, 0.1, 0.2]) closing.push(face(o));
    assert.equal(closing.passed, false, 'eyes must reopen to the open level');
  });
});
