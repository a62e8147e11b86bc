import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point } from '../../../libs/face/src/index.js';
import { drawChallenge, LivenessChallenge, type ChallengeStep } from './liveness-challenge.js';

/**
 * Synthetic 68-point faces: a head model (eye corners and mouth in the eye plane, nose tip 0.55
 * inter-ocular distances in front of it) turned by `yaw` degrees about the vertical axis, eyes at a
 * given openness, plus per-point jitter as a live camera gives (seeded, so runs repeat).
 */
const IOD = 60;
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
function face(yaw: number, openness = 0.3, jitter = 0, rand = Math.random): Point[] {
  const t = (yaw * Math.PI) / 180;
  const p: Point[] = [];
  const put = (i: number, x: number, y: number, z = 0) => {
    p[i] = {
      x: 320 + (x * Math.cos(t) + z * Math.sin(t)) * IOD + (rand() - 0.5) * jitter * IOD,
      y: 240 + y * IOD + (rand() - 0.5) * jitter * IOD,
    };
  };
  for (let i = 0; i <= 16; i++) put(i, -0.9 + (1.8 * i) / 16, 0.2 + 0.8 * Math.sin((Math.PI * i) / 16), -0.3);
  for (let i = 17; i <= 26; i++) put(i, -0.75 + (1.5 * (i - 17)) / 9, -0.3);
  for (let i = 27; i <= 35; i++)
    put(i, i <= 30 ? 0 : -0.15 + (0.3 * (i - 31)) / 4, i <= 30 ? 0.15 * (i - 27) : 0.5, i <= 30 ? 0.18 * (i - 26) : 0.35);
  put(30, 0, 0.45, 0.55);
  for (const [start, cx] of [
    [36, -0.5],
    [42, 0.5],
  ] as const) {
    const h = 0.25 * openness;
    put(start, cx - 0.25, 0);
    put(start + 1, cx - 0.08, -h);
    put(start + 2, cx + 0.08, -h);
    put(start + 3, cx + 0.25, 0);
    put(start + 4, cx + 0.08, h);
    put(start + 5, cx - 0.08, h);
  }
  for (let i = 48; i <= 67; i++) {
    const a = (2 * Math.PI * (i - 48)) / 20;
    put(i, 0.4 * Math.cos(a), 1.0 + 0.12 * Math.sin(a), 0.1);
  }
  return p;
}

/** Poses of a person doing one action, frame by frame (15 fps). */
function action(a: ChallengeStep | 'still', frames = 8): { yaw: number; open: number }[] {
  const out: { yaw: number; open: number }[] = [];
  for (let i = 0; i < frames; i++) {
    const phase = Math.sin((Math.PI * i) / (frames - 1)); // 0 → 1 → 0
    if (a === 'turn_left') out.push({ yaw: 30 * phase, open: 0.3 });
    else if (a === 'turn_right') out.push({ yaw: -30 * phase, open: 0.3 });
    else if (a === 'blink') out.push({ yaw: 0, open: i === 3 || i === 4 ? 0.05 : 0.3 });
    else out.push({ yaw: 0, open: 0.3 });
  }
  return out;
}

/** A live person following `actions` (a still moment before each), with jitter, at 15 fps from t=0. */
function performance(actions: ChallengeStep[], seed = 1, msPerFrame = 66): { l: Point[]; at: number }[] {
  const rand = rng(seed);
  const poses = [...action('still', 5), ...actions.flatMap((a) => [...action(a), ...action('still', 4)])];
  return poses.map((p, i) => ({ l: face(p.yaw, p.open, 0.02, rand), at: i * msPerFrame }));
}

function run(c: LivenessChallenge, frames: { l: Point[]; at: number }[]) {
  for (const f of frames) if (c.push(f.l, f.at).status !== 'running') break;
  return c.state;
}

describe('liveness challenge (active, random order)', () => {
  it('passes a person who follows the prompts in order', () => {
    const steps: ChallengeStep[] = ['turn_left', 'blink', 'turn_right'];
    const s = run(new LivenessChallenge(steps), performance(steps));
    assert.equal(s.status, 'passed', JSON.stringify(s));
    assert.equal(s.index, 3);
  });

  it('passes every one of the 12 orders when followed', () => {
    const orders = new Set<string>();
    let k = 0;
    const rand = rng(7);
    while (orders.size < 12 && k++ < 2000) orders.add(drawChallenge(3, (max) => Math.floor(rand() * max)).join(','));
    assert.equal(orders.size, 12, 'three steps, none twice in a row: 12 orders, all drawn');
    let seed = 10;
    for (const o of orders) {
      const steps = o.split(',') as ChallengeStep[];
      const s = run(new LivenessChallenge(steps), performance(steps, seed++));
      assert.equal(s.status, 'passed', `${o}: ${JSON.stringify(s)}`);
    }
  });

  it('fails a recording made in another order, at the step it got wrong', () => {
    const recorded: ChallengeStep[] = ['turn_left', 'blink', 'turn_right'];
    const s1 = run(new LivenessChallenge(['turn_right', 'blink', 'turn_left']), performance(recorded));
    assert.deepEqual([s1.status, s1.index, s1.failedStep, s1.failure], ['failed', 0, 'turn_right', 'wrong_order']);
    // A turn when a blink is asked for.
    const s2 = run(new LivenessChallenge(['blink', 'turn_left', 'turn_right']), performance(recorded));
    assert.deepEqual([s2.status, s2.index, s2.failedStep, s2.failure], ['failed', 0, 'blink', 'wrong_order']);
    const s3 = run(new LivenessChallenge(['turn_left', 'blink', 'turn_left']), performance(recorded));
    assert.deepEqual([s3.status, s3.index, s3.failedStep, s3.failure], ['failed', 2, 'turn_left', 'wrong_order']);
  });

  it('fails a step not done within its time', () => {
    const steps: ChallengeStep[] = ['turn_left', 'blink', 'turn_right'];
    // The right actions, but each frame 600 ms apart: a step takes ~7 s.
    const s = run(new LivenessChallenge(steps, { stepMs: 4000 }), performance(steps, 3, 600));
    assert.deepEqual([s.status, s.index, s.failedStep, s.failure], ['failed', 0, 'turn_left', 'too_slow']);
    // Nobody does anything: the first step times out, also with no face at all (tick).
    const idle = new LivenessChallenge(['blink', 'turn_left']);
    const still = performance([], 4).concat(performance([], 5).map((f) => ({ ...f, at: f.at + 700 })));
    run(idle, still);
    assert.equal(idle.state.status, 'running');
    assert.equal(idle.tick(4100).failure, 'too_slow');
    assert.equal(idle.state.failedStep, 'blink');
  });

  it('fails a frozen frame (a photo or a paused video gives identical landmarks)', () => {
    const photo = face(0, 0.3);
    const frames = Array.from({ length: 20 }, (_, i) => ({ l: photo.map((p) => ({ ...p })), at: i * 66 }));
    const s = run(new LivenessChallenge(['blink', 'turn_left', 'turn_right']), frames);
    assert.deepEqual([s.status, s.failure, s.failedStep], ['failed', 'frozen', 'blink']);
    // A live face holding still has jitter and is not frozen.
    const live = performance([], 9).concat(performance([], 11).map((f) => ({ ...f, at: f.at + 700 })));
    assert.equal(run(new LivenessChallenge(['blink']), live).status, 'running');
  });

  it('fails a looped clip, even one that does the right things', () => {
    // A short clip of the holder turning left, played over and over.
    const clip = performance(['turn_left'], 21).slice(3, 15);
    const looped = [0, 1, 2].flatMap((r) => clip.map((f, i) => ({ l: f.l, at: (r * clip.length + i) * 66 })));
    const s = run(new LivenessChallenge(['turn_left', 'blink', 'turn_right']), looped);
    assert.deepEqual([s.status, s.index, s.failedStep, s.failure], ['failed', 1, 'blink', 'looped']);
    // The same clip once through is no loop: its turn counts, and the challenge waits for the blink.
    const once = run(new LivenessChallenge(['turn_left', 'blink', 'turn_right']), clip);
    assert.deepEqual([once.status, once.index], ['running', 1]);
  });

  it("reads directions as the entrant's own, flipped for a mirrored camera", () => {
    const steps: ChallengeStep[] = ['turn_left'];
    const mirrored = performance(['turn_right']);
    assert.equal(run(new LivenessChallenge(steps, { mirrored: true }), mirrored).status, 'passed');
    assert.equal(run(new LivenessChallenge(steps), mirrored).failure, 'wrong_order');
  });

  it('refuses landmarks that are not 68 points and an empty challenge', () => {
    assert.throws(() => new LivenessChallenge([]), RangeError);
    assert.throws(() => new LivenessChallenge(['blink']).push(face(0).slice(0, 5), 0), /68 landmarks/);
  });
});
