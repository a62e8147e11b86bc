import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WatchlistEntryEntity } from '../database/entities/index.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { FaceEnrolment } from './face-enrolment.service.js';
import { SiteMatchers } from './site-matchers.service.js';
import { progressBar, reembedTemplates, staleTemplateCount, type ReembedReport } from './template-reembed.js';
import { WatchlistSyncPublisher } from './watchlist-sync.publisher.js';
import { WatchlistRepository } from './watchlist.repository.js';

/**
 * When the hub starts with a face model other than the one some templates were made by, it
 * re-embeds them in the background from their stored crops (progress in the log every 10 %), then
 * reloads the affected sites' matchers and sends their edges a fresh snapshot. Nothing is loaded
 * when every template is current. `npm run hub:reembed-faces` does the same before start.
 */
@Injectable()
export class FaceModelMigration implements OnApplicationBootstrap {
  private readonly log = new Logger('FaceModel');
  /** Resolves when a started migration has finished (tests, shutdown). */
  done: Promise<ReembedReport | undefined> = Promise.resolve(undefined);

  constructor(
    private readonly db: DataSource,
    private readonly cipher: DataCipher,
    private readonly enrolment: FaceEnrolment,
    private readonly matchers: SiteMatchers,
    private readonly repo: WatchlistRepository,
    private readonly publisher: WatchlistSyncPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const stale = await staleTemplateCount(this.db, this.enrolment.faceModel);
    if (!stale) return;
    this.log.warn(`${stale} watchlist template(s) were made by another face model: re-embedding with ${this.enrolment.faceModel}`);
    this.done = this.run().catch((e: Error) => {
      this.log.error(`re-embedding stopped: ${e.message}`);
      return undefined;
    });
  }

  private async run(): Promise<ReembedReport> {
    let step = 0;
    const report = await reembedTemplates(
      this.db,
      this.cipher,
      this.enrolment.faceModel,
      (jpeg) => this.enrolment.embedCrop(jpeg),
      (p) => {
        const tenth = Math.floor((p.done / p.total) * 10);
        if (tenth > step || p.done === p.total) {
          step = tenth;
          this.log.log(`re-embedding ${progressBar(p)}`);
        }
      },
    );
    for (const siteId of report.sites) {
      const rows = await this.db.getRepository(WatchlistEntryEntity).find({ where: { siteId } });
      for (const e of await this.repo.load(rows)) this.matchers.upsert(siteId, this.repo.matchEntry(e));
      await this.publisher.publishSnapshot(siteId).catch((e: Error) => this.log.error(`snapshot for ${siteId}: ${e.message}`));
    }
    this.log.log(`re-embedded ${report.reembedded} of ${report.total} template(s)`);
    for (const f of report.failed)
      this.log.warn(`template ${f.templateId} of entry ${f.entryId} not re-embedded: ${f.reason} — enrol a new photo`);
    return report;
  }
}
