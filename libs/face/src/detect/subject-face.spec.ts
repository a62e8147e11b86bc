import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { FacePipeline } from '../pipeline/face-pipeline.js';
import { readExtra, readFace } from '../testing/shared-faces.js';
import { rankSubjects, severalFaces } from './subject-face.js';

/** The subject's face: confidence × landmark plausibility × size, not size alone; "several faces" for a second one of similar size. */
let pipeline: FacePipeline;
before(async () => {
  pipeline = await FacePipeline.create({ liveness: false });
});
after(() => pipeline.dispose());

describe('subject face choice', () => {
  it('prefers a smaller real face to a larger box whose landmarks do not sit like a face', async () => {
    const [real] = await pipeline.analyze(readFace('fr_obama/1.jpg'), { embed: false, liveness: false, maxFaces: 1 });
    assert.ok(real.plausibility >= 0.99, `a frontal face passes every check (${real.plausibility})`);
    // The same points scrambled, in a box twice as large and as confident: a detector false positive.
    const scrambled = real.landmarks68.map((_, i) => real.landmarks68[(i * 37) % 68]!);
    const big = {
      x: real.box.x - real.box.width / 2,
      y: real.box.y - real.box.height / 2,
      width: real.box.width * 2,
      height: real.box.height * 2,
    };
    const ranked = rankSubjects([
      { box: big, score: real.score, landmarks68: scrambled, id: 'false-positive' },
      { box: real.box, score: real.score, landmarks68: real.landmarks68, id: 'face' },
    ]);
    assert.equal(ranked[0]!.candidate.id, 'face');
    assert.ok(ranked[1]!.plausibility < 0.7, `scrambled landmarks fail the geometry (${ranked[1]!.plausibility})`);
  });

  it('reports several faces on photos of two or more people of similar size', async () => {
    for (const photo of ['multi_face/fr_obama_and_biden.jpg', 'multi_face/df_selfie-many-people.jpg']) {
      const found = await pipeline.analyze(readExtra(photo), { embed: false, liveness: false });
      assert.ok(found.length >= 2, `${photo}: ${found.length} faces`);
      assert.ok(found[0]!.plausibility >= 0.8, `${photo}: the chosen face is a plausible face`);
      assert.equal(severalFaces(found), true, photo);
      // Ordered by the subject score.
      for (let i = 1; i < found.length; i++) assert.ok(found[i - 1]!.subjectScore >= found[i]!.subjectScore);
    }
  });

  it(
    'in a large photo chooses the person\'s small face, and a much smaller face behind is not "several"',
    { timeout: 120_000 },
    async () => {
      const person = readFace('fr_obama/1.jpg');
      const [pf] = await pipeline.analyze(person, { embed: false, liveness: false, maxFaces: 1 });
      const other = readFace('fr_kit_harington/1.jpg');
      const [of] = await pipeline.analyze(other, { embed: false, liveness: false, maxFaces: 1 });
      const crop = async (src: Buffer, box: { x: number; y: number; width: number; height: number }, faceWidth: number) => {
        const meta = await sharp(src).metadata();
        const side = Math.round(Math.max(box.width, box.height) * 3);
        const left = Math.max(0, Math.round(box.x + box.width / 2 - side / 2)),
          top = Math.max(0, Math.round(box.y + box.height / 2 - side / 2));
        const region = { left, top, width: Math.min(meta.width! - left, side), height: Math.min(meta.height! - top, side) };
        return sharp(src)
          .extract(region)
          .resize(Math.round((region.width * faceWidth) / box.width))
          .jpeg({ quality: 92 })
          .toBuffer();
      };
      // A 6000×4000 photo: the person's face ~90 px wide, someone far behind ~45 px.
      const photo = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#7d8489' } })
        .composite([
          { input: await crop(person, pf.box, 90), left: 2600, top: 1500 },
          { input: await crop(other, of.box, 45), left: 4800, top: 900 },
        ])
        .jpeg({ quality: 88 })
        .toBuffer();
      const found = await pipeline.analyze(photo, { liveness: false });
      assert.ok(found.length >= 1);
      const chosen = found[0]!;
      assert.ok(
        chosen.box.x > 2600 && chosen.box.x < 2600 + 400 && chosen.box.y > 1500 && chosen.box.y < 1500 + 400,
        `the person's face chosen: ${JSON.stringify(chosen.box)}`,
      );
      assert.ok(
        pipeline.compare(chosen.embedding!, (await pipeline.embed(person))!) >= pipeline.thresholdsFor('card').accept,
        'and it is the person',
      );
      assert.equal(severalFaces(found), false);
    },
  );
});
