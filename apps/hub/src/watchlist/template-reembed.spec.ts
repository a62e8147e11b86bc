import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import sharp from 'sharp';
import type { DataSource } from 'typeorm';
import { FacePipeline } from '../../../../libs/face/src/index.js';
import { decodeTemplate, encodeTemplate } from '../../../../libs/watchlist-match/src/index.js';
import { readFace } from '../../../../libs/face/src/testing/shared-faces.js';
import { openTestHubDatabase } from '../../../../test/support/hub-database.js';
import { placeholders } from '../database/sql-dialect.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { KeyRing } from '../privacy/key-ring.js';
import { progressBar, reembedTemplates, staleTemplateCount } from './template-reembed.js';
import { aad } from './watchlist-aad.js';

async function insert(db: DataSource, table: string, row: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(row);
  await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${placeholders(db)(cols.length)})`, Object.values(row));
}

test(
  'templates of an older face model are re-embedded from their stored crops, with progress; the rest are reported',
  { timeout: 120_000 },
  async () => {
    const { cfg, db, dir } = await openTestHubDatabase();
    const faces = await FacePipeline.create({ liveness: false });
    try {
      const c = new DataCipher(KeyRing.load(cfg));
      const old = await FacePipeline.create({ liveness: false, models: { embed: 'face-embedder' } });
      const crops: Buffer[] = [];
      for (const [i, photo] of ['df01/1.jpg', 'fr_obama/1.jpg', 'df03/2.jpg'].entries()) {
        const id = `e${i}`;
        await insert(db, 'watchlist_entries', {
          id,
          site_id: i < 2 ? 's1' : 's2',
          list_kind: 'watchlist',
          full_name_enc: c.encrypt(`Người ${i}`, aad.entryName(id)),
          id_number_hmac: null,
          id_number_enc: null,
          reason: '',
          severity: 'high',
          source: 'manual',
          created_at: 1,
          created_by: 't',
          updated_at: 1,
          updated_by: 't',
        });
        // As enrolment stores them: the 150 px aligned crop (JPEG) and the old model's 128-d template.
        const [face] = await old.analyze(readFace(photo), { liveness: false });
        const chip = await old.alignedChip(readFace(photo), face!);
        const crop = await sharp(Buffer.from(chip.data), { raw: { width: chip.width, height: chip.height, channels: 3 } })
          .jpeg({ quality: 85 })
          .toBuffer();
        crops.push(crop);
        await insert(db, 'watchlist_templates', {
          entry_id: id,
          face_model: 'face-embedder',
          dims: 128,
          created_at: 1,
          template_enc: c.encrypt(Buffer.from(encodeTemplate(face!.embedding!), 'base64'), aad.template(id)),
          crop_enc: i === 2 ? null : c.encrypt(crop, aad.crop(id)),
        });
      }
      await old.dispose();
      assert.equal(await staleTemplateCount(db, faces.embedderId), 3);

      const progress: string[] = [];
      const report = await reembedTemplates(
        db,
        c,
        faces.embedderId,
        (jpeg) => faces.embed(jpeg),
        (p) => progress.push(progressBar(p, 10)),
      );
      assert.deepEqual(progress, ['[###.......] 1/3', '[#######...] 2/3', '[##########] 3/3']);
      assert.equal(report.reembedded, 2);
      assert.deepEqual(
        report.failed.map((f) => [f.entryId, f.reason]),
        [['e2', 'no face crop stored']],
      );
      assert.deepEqual([...report.sites], ['s1']);

      const rows: { entry_id: string; face_model: string; dims: number; template_enc: string }[] = await db.query(
        'SELECT entry_id, face_model, dims, template_enc FROM watchlist_templates ORDER BY entry_id',
      );
      for (const [i, r] of rows.entries()) {
        if (i === 2) {
          assert.equal(r.face_model, 'face-embedder', 'a template without a crop is left as it was');
          continue;
        }
        assert.equal(r.face_model, faces.embedderId);
        assert.equal(Number(r.dims), 512);
        const v = decodeTemplate(c.decrypt(r.template_enc, aad.template(r.entry_id)).toString('base64'));
        assert.ok(faces.compare(v, (await faces.embed(crops[i]!))!) > 0.99999);
        // The re-embedded template still matches the person's own photo under the new model's alert threshold.
        const live = (await faces.embed(readFace(i === 0 ? 'df01/4.jpg' : 'fr_obama/6.jpg')))!;
        assert.ok(faces.compare(v, live) >= faces.thresholdsFor('card').accept, `entry ${r.entry_id}`);
      }
      assert.equal(await staleTemplateCount(db, faces.embedderId), 1);
      // A second run touches only what is still stale.
      const again = await reembedTemplates(db, c, faces.embedderId, (jpeg) => faces.embed(jpeg));
      assert.equal(again.reembedded, 0);
      assert.equal(again.failed.length, 1);
    } finally {
      await faces.dispose();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
