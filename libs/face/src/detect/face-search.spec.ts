import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { readFaceSet } from '../calibration/face-set.js';
import { FacePipeline } from '../pipeline/face-pipeline.js';
import { makeVariant, VARIANT_KINDS } from '../testing/face-variants.js';
import { extrasDir, facesDir, readFace } from '../testing/shared-faces.js';
import { tiles } from './face-search.js';

/**
 * No failure to enrol on a one-person photo, at the framings a gate and a card produce: every photo
 * of shared/faces and faces-extras (singles, variants, unlabeled), and close-ups, 150/112 px crops,
 * greyscale, EXIF-rotated and small-in-35-MP versions made from the first photo of each person.
 */
let pipeline: FacePipeline;
before(async () => {
  pipeline = await FacePipeline.create({ liveness: false });
});
after(() => pipeline.dispose());

const images = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .map((f) => join(dir, f));

describe('face search at every scale', () => {
  it('covers a frame with overlapping tiles', () => {
    const t = tiles(7200, 4860, 1664);
    assert.ok(t.every((b) => b.x >= 0 && b.y >= 0 && b.x + b.width <= 7200 && b.y + b.height <= 4860));
    for (const [x, y] of [
      [0, 0],
      [7199, 4859],
      [3600, 2430],
      [1663, 1663],
    ])
      assert.ok(
        t.some((b) => x >= b.x && x < b.x + b.width && y >= b.y && y < b.y + b.height),
        `${x},${y}`,
      );
    assert.deepEqual(tiles(400, 300, 832), [{ x: 0, y: 0, width: 400, height: 300 }]);
  });

  it('enrols every one-person photo of shared/faces and faces-extras', async () => {
    const files = [
      ...readFaceSet(facesDir()).map((p) => join(facesDir(), p.path)),
      ...['singles', 'variants', 'unlabeled'].flatMap((d) => images(join(extrasDir(), d))),
    ];
    assert.equal(files.length, 71);
    const missed: string[] = [];
    for (const f of files) if ((await pipeline.analyze(readFileSync(f), { embed: false, liveness: false })).length === 0) missed.push(f);
    assert.deepEqual(missed, []);
  });

  it(
    'enrols card and gate framings: close-up, 150/112 px crops, grey, EXIF-rotated, a small face in a 35 MP photo',
    { timeout: 240_000 },
    async () => {
      const firsts = readFaceSet(facesDir()).filter((p, i, all) => all.findIndex((q) => q.identity === p.identity) === i);
      assert.equal(firsts.length, 13);
      const missed: string[] = [];
      for (const kind of VARIANT_KINDS) {
        // The 35 MP tile search costs ~2 s a photo: four people are enough to show it works.
        const people = kind === 'small-in-35mp' ? firsts.slice(0, 4) : firsts;
        for (const p of people) {
          const src = readFace(p.path);
          const [face] = await pipeline.analyze(src, { embed: false, liveness: false, maxFaces: 1 });
          const variant = await makeVariant(src, face.box, kind);
          const found = await pipeline.analyze(variant, { liveness: false });
          if (found.length !== 1) missed.push(`${kind} ${p.path}: ${found.length} faces`);
          // The variant still matches its source at the 1:1 card threshold (same pixels, new framing).
          else if (
            kind !== 'small-in-35mp' &&
            kind !== 'crop112' &&
            pipeline.compare(found[0].embedding!, (await pipeline.embed(src))!) < pipeline.thresholdsFor('card').accept
          )
            missed.push(`${kind} ${p.path}: no longer matches its source`);
        }
      }
      assert.deepEqual(missed, []);
    },
  );

  it('the large-face first pass: one cheap pass for a face filling a lane frame, the full pass for a small one', async () => {
    const src = readFace('fr_obama/2.jpg');
    const [face] = await pipeline.analyze(src, { embed: false, liveness: false, maxFaces: 1 });
    const withFirst = await FacePipeline.create({ liveness: false, detector: { largeFaceInputSize: 256 } });
    const without = await FacePipeline.create({ liveness: false, detector: { largeFaceInputSize: 0 } });
    try {
      const detector = (p: FacePipeline) =>
        (p as unknown as { loaded: { detector: import('./face-detector.js').FaceDetector } }).loaded.detector;
      const lane = await pipeline.decode(await makeVariant(src, face.box, 'closeup'));
      const big = await detector(withFirst).detectWhole(lane);
      assert.equal(big.passes, 1, 'a large face: the 256 px pass is enough');
      assert.equal(big.faces.length, 1);
      // A face ~130 px wide in a 1280×720 frame (26 px at 256, under two cells): the full pass runs
      // and finds what the 416 px pass alone finds.
      const meta = await sharp(src).metadata();
      const k = 130 / face.box.width;
      const person = await sharp(src)
        .resize(Math.round(meta.width! * k), Math.round(meta.height! * k))
        .toBuffer();
      const jpeg = await sharp({ create: { width: 1280, height: 720, channels: 3, background: '#707070' } })
        .composite([{ input: person, left: 500, top: 200 }])
        .jpeg()
        .toBuffer();
      const frame = await pipeline.decode(jpeg);
      const far = await detector(withFirst).detectWhole(frame);
      const full = await detector(without).detectWhole(frame);
      assert.equal(far.passes, 2);
      assert.equal(full.passes, 1);
      assert.ok(full.faces.length >= 1, 'the 416 px pass finds the face');
      assert.deepEqual(far.faces, full.faces, 'the same faces as the 416 px pass alone');
      await assert.rejects(FacePipeline.create({ liveness: false, detector: { largeFaceInputSize: 100 } }), /multiple of 32/);
    } finally {
      await withFirst.dispose();
      await without.dispose();
    }
  });

  it('the fast search a lane uses also finds a face filling the frame, without tiling', async () => {
    const src = readFace('fr_obama/2.jpg');
    const [face] = await pipeline.analyze(src, { embed: false, liveness: false });
    const closeup = await makeVariant(src, face.box, 'closeup');
    assert.equal((await pipeline.analyze(closeup, { search: 'fast', embed: false, liveness: false })).length, 1);
  });
});
