/**
 * npm run hub:reembed-faces
 * After the face model changes (models/manifest.json `use.embed`, or CG_FACE_EMBEDDER), re-embeds
 * every stored watchlist template made by another model from its stored aligned face crop, with a
 * progress bar. The hub does the same by itself in the background when it starts and finds stale
 * templates; run this before starting it to have the lists complete at once. Templates that cannot
 * be re-embedded are listed (their entries need a new photo) and the exit code is 2.
 */
import { ConfigError } from '../../../../libs/config/src/load-yaml-config.js';
import { FacePipeline } from '../../../../libs/face/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { KeyRing } from '../privacy/key-ring.js';
import { progressBar, reembedTemplates, staleTemplateCount } from '../watchlist/template-reembed.js';
import { openHubDatabase } from './open-hub-database.js';

async function main(): Promise<void> {
  const { cfg, db } = await openHubDatabase();
  try {
    const faces = await FacePipeline.create({ liveness: false });
    try {
      const model = faces.embedderId;
      const stale = await staleTemplateCount(db, model);
      if (!stale) {
        console.log(`every watchlist template is already made by ${model}`);
        return;
      }
      console.log(`re-embedding ${stale} template(s) with ${model}`);
      const tty = process.stdout.isTTY;
      const t0 = Date.now();
      const report = await reembedTemplates(
        db,
        new DataCipher(KeyRing.load(cfg)),
        model,
        (jpeg) => faces.embed(jpeg),
        (p) => (tty ? process.stdout.write(`\r${progressBar(p)}`) : p.done % 100 === 0 && console.log(progressBar(p))),
      );
      if (tty) process.stdout.write('\n');
      console.log(
        `${report.reembedded} re-embedded in ${((Date.now() - t0) / 1000).toFixed(1)} s; sites changed: ${[...report.sites].join(', ') || 'none'}`,
      );
      for (const f of report.failed)
        console.log(`  NOT re-embedded: template ${f.templateId} of entry ${f.entryId}: ${f.reason} — enrol a new photo`);
      await new AuditService(db).record({
        actor: 'cli',
        action: 'watchlist.reembed',
        subjectType: 'face_model',
        subjectId: model,
        detail: { reembedded: report.reembedded, failed: report.failed.length, sites: [...report.sites] },
      });
      if (report.failed.length) process.exitCode = 2;
    } finally {
      await faces.dispose();
    }
  } finally {
    await db.destroy();
  }
}

main().catch((e: Error) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
