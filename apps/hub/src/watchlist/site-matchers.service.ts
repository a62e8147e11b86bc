import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { WatchlistMatcher, type MatchEntry } from '../../../../libs/watchlist-match/src/index.js';
import { WatchlistRepository } from './watchlist.repository.js';

/** The hub's in-memory matchers, one per site, loaded (decrypted) at start and kept in step with every change. */
@Injectable()
export class SiteMatchers implements OnApplicationBootstrap {
  private readonly log = new Logger('Watchlist');
  private readonly bySite = new Map<string, WatchlistMatcher>();

  constructor(private readonly repo: WatchlistRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    const all = await this.repo.loadAll();
    for (const e of all) this.site(e.row.siteId).upsert(this.repo.matchEntry(e));
    if (all.length) this.log.log(`${all.length} watchlist entries loaded`);
  }

  site(siteId: string): WatchlistMatcher {
    let m = this.bySite.get(siteId);
    if (!m) {
      // Large lists get their HNSW graph built in a worker thread; the exact scan answers meanwhile.
      m = new WatchlistMatcher({
        onGraph: (g) =>
          g.ok
            ? this.log.log(
                `site ${siteId}: ${g.templates} ${g.dimensions}-d templates indexed in ${(g.buildMs / 1000).toFixed(1)} s` +
                  (g.graphDimensions < g.dimensions
                    ? ` (graph in ${g.graphDimensions} PCA dimensions, ${(g.explainedVariance * 100).toFixed(0)} % of the variance)`
                    : '') +
                  ` (swap ${g.swapMs.toFixed(0)} ms, peak rss ${(g.peakRssBytes / 1048576).toFixed(0)} MB)`,
              )
            : this.log.error(
                `site ${siteId}: building the face index of ${g.templates} templates failed (exact scan stays in use): ${g.error.message}`,
              ),
      });
      this.bySite.set(siteId, m);
    }
    return m;
  }

  upsert(siteId: string, entry: MatchEntry): void {
    this.site(siteId).upsert(entry);
  }

  remove(siteId: string, entryId: string): void {
    this.bySite.get(siteId)?.remove(entryId);
  }
}
