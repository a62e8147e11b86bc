import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { countClip } from '../../bench/count-clip.js';
import { discoverClips, matchCrossings } from '../../bench/counting-truth.js';
import { sharedDir } from '../../scripts/clips/shared-data.js';
import { expectedCounts, generateClip } from '../../scripts/clips/clip-generator.js';
import { BAND_PX, LINE_X, OVERLAPPING } from '../../scripts/clips/counting-scenarios.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/**
 * Counting on real footage nobody here made (../shared/video/crowd: a crowded hall seen from high and
 * obliquely, an overhead camera over a passage), with the settings each camera kind ships with. The
 * floors are the figures measured (README, "People counting"): a regression fails here.
 */
const crowd = discoverClips([join(sharedDir, 'video', 'crowd')]).clips;
const clip = (name: string) => {
  const c = crowd.find((x) => x.name === name);
  assert.ok(c, `${name} with its line and ground truth in ${sharedDir}/video/crowd`);
  return c;
};

describe('people counting on real footage', () => {
  it('a crowded hall from a high oblique camera: every crossing, nobody standing on the line', async () => {
    const c = clip('hall-oblique-part1');
    assert.equal(c.mount, 'oblique');
    const r = await countClip(c.path, c.line, c.mount);
    const m = matchCrossings(c.truth!, r.crossings);
    assert.ok(m.recall >= 0.95, `recall ${m.recall}: missed ${JSON.stringify(m.missed)}`);
    assert.ok(m.precision >= 0.95, `precision ${m.precision}: false ${JSON.stringify(m.false)}`);
  });

  it('an overhead camera over a passage: no false count, three of four walkers', async () => {
    const c = clip('terrace-overhead');
    assert.equal(c.mount, 'overhead');
    const r = await countClip(c.path, c.line, c.mount);
    const m = matchCrossings(c.truth!, r.crossings);
    assert.equal(m.false.length, 0, `false ${JSON.stringify(m.false)}`);
    assert.ok(m.recall >= 0.75, `recall ${m.recall}: missed ${JSON.stringify(m.missed)}`);
  });

  it('the oblique mount also counts people close to a side camera, passing each other on the line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cg-crowd-'));
    try {
      const clipFile = await generateClip(dir, 'overlapping', OVERLAPPING);
      const line = {
        from: { x: LINE_X / OVERLAPPING.width, y: 0 },
        to: { x: LINE_X / OVERLAPPING.width, y: 1 },
        inside: { x: 0.9, y: 0.5 },
      };
      const r = await countClip(clipFile.path, line, 'oblique', {
        overrides: { width: OVERLAPPING.width, height: OVERLAPPING.height, fps: OVERLAPPING.fps },
      });
      assert.deepEqual({ entry: r.entries, exit: r.exits }, expectedCounts(OVERLAPPING, LINE_X, BAND_PX));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('bench:counting counts any other clip and prints its counts as one JSON line, last', () => {
    const c = clip('terrace-overhead');
    const r = spawnSync(
      process.execPath,
      [
        'dist/bench/counting-bench.js',
        '--clip',
        c.path,
        '--line',
        JSON.stringify({ from: c.line.from, to: c.line.to, inside: c.line.inside }),
        '--mount',
        'overhead',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(last.mount, 'overhead');
    assert.equal(last.in + last.out, last.crossings.length);
    assert.ok(last.in >= 2 && last.out >= 1, JSON.stringify(last));
    assert.equal(last.settings.anchor, 'center');
    const bad = spawnSync(process.execPath, ['dist/bench/counting-bench.js', '--clip', c.path, '--line', '{"from":{"x":2}}'], {
      encoding: 'utf8',
    });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /bench:counting: /);
  });
});
