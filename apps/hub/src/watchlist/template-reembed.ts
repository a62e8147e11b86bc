import { Not, type DataSource } from 'typeorm';
import { encodeTemplate } from '../../../../libs/watchlist-match/src/index.js';
import { WatchlistEntryEntity, WatchlistTemplateEntity } from '../database/entities/index.js';
import type { DataCipher } from '../privacy/data-cipher.js';
import { aad } from './watchlist-aad.js';

/**
 * Re-embedding after a face-model change: every stored template made by another model is embedded
 * again from its stored (encrypted) aligned face crop with the current model, in place. A template
 * whose crop is missing or has no face any more is left as it is and reported (its entry then needs
 * a new photo: templates of another model never match the current one's).
 */
export interface ReembedProgress {
  done: number;
  total: number;
}

export interface ReembedReport {
  total: number;
  reembedded: number;
  failed: { templateId: number; entryId: string; reason: string }[];
  /** Sites whose lists changed (their edges need a fresh snapshot). */
  sites: Set<string>;
}

export async function staleTemplateCount(db: DataSource, faceModel: string): Promise<number> {
  return db.getRepository(WatchlistTemplateEntity).count({ where: { faceModel: Not(faceModel) } });
}

export async function reembedTemplates(
  db: DataSource,
  cipher: DataCipher,
  faceModel: string,
  embed: (jpeg: Uint8Array) => Promise<Float32Array | undefined>,
  onProgress?: (p: ReembedProgress) => void,
  batch = 50,
): Promise<ReembedReport> {
  const repo = db.getRepository(WatchlistTemplateEntity);
  const total = await staleTemplateCount(db, faceModel);
  const report: ReembedReport = { total, reembedded: 0, failed: [], sites: new Set() };
  const skip = new Set<number>();
  let afterId = 0;
  for (;;) {
    const rows = await repo
      .createQueryBuilder('t')
      .where('t.face_model <> :m', { m: faceModel })
      .andWhere('t.id > :after', { after: afterId })
      .orderBy('t.id', 'ASC')
      .limit(batch)
      .getMany();
    if (!rows.length) break;
    for (const t of rows) {
      afterId = t.id;
      if (skip.has(t.id)) continue;
      let vector: Float32Array | undefined;
      let reason = 'no face crop stored';
      if (t.cropEnc) {
        try {
          vector = await embed(new Uint8Array(cipher.decrypt(t.cropEnc, aad.crop(t.entryId))));
          if (!vector) reason = 'no face found in the stored crop';
        } catch (e) {
          reason = `crop unusable: ${(e as Error).message}`;
        }
      }
      if (vector) {
        await repo.update(
          { id: t.id, faceModel: t.faceModel },
          {
            faceModel,
            dims: vector.length,
            templateEnc: cipher.encrypt(Buffer.from(encodeTemplate(vector), 'base64'), aad.template(t.entryId)),
          },
        );
        report.reembedded++;
        const entry = await db.getRepository(WatchlistEntryEntity).findOneBy({ id: t.entryId });
        if (entry) report.sites.add(entry.siteId);
      } else {
        report.failed.push({ templateId: t.id, entryId: t.entryId, reason });
      }
      onProgress?.({ done: report.reembedded + report.failed.length, total });
    }
  }
  return report;
}

/** A text progress bar: `[#########.........]  45/100`. */
export function progressBar({ done, total }: ReembedProgress, width = 30): string {
  const filled = total ? Math.round((done / total) * width) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(String(total).length)}/${total}`;
}
