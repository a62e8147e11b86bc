import { cosineSimilarity } from '../../../libs/face/src/index.js';
import type { WatchlistEdgeEntry } from '../../../libs/contracts/src/index.js';
import type { LaneWatchlist, ListHit } from './lane-ports.js';

const toVector = (b64: string) => {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};

/**
 * Lists held in memory from watchlist entries (the delta-sync format): the lane's matcher until the
 * synced edge cache (`edge/src/watchlist`) is wired in, and the tests' list. Face 1:N is a linear
 * scan: fine for the few thousand entries a site holds.
 */
/** Cosine thresholds per list: one number for both, or the calibrated 1:N alert / allowlist admit ones with the alert REVIEW floor. */
export type ListThresholds = number | { watchlist: number; allowlist: number; watchlistReview?: number };

export class MemoryWatchlist implements LaneWatchlist {
  private entries: { e: WatchlistEdgeEntry; templates: Float32Array[] }[] = [];
  private readonly thresholds: { watchlist: number; allowlist: number; watchlistReview: number };

  constructor(faceThreshold: ListThresholds, entries: readonly WatchlistEdgeEntry[] = []) {
    this.thresholds =
      typeof faceThreshold === 'number'
        ? { watchlist: faceThreshold, allowlist: faceThreshold, watchlistReview: faceThreshold }
        : {
            ...faceThreshold,
            watchlistReview: Math.min(faceThreshold.watchlist, faceThreshold.watchlistReview ?? faceThreshold.watchlist),
          };
    this.replace(entries);
  }

  replace(entries: readonly WatchlistEdgeEntry[]): void {
    this.entries = entries.map((e) => ({ e, templates: e.templates.map(toVector) }));
  }

  private valid(e: WatchlistEdgeEntry): boolean {
    const now = Date.now();
    return (!e.validFrom || Date.parse(e.validFrom) <= now) && (!e.validUntil || Date.parse(e.validUntil) > now);
  }

  matchIdNumber(hmac: string): ListHit | undefined {
    const found = this.entries.filter(({ e }) => e.idNumberHmac === hmac && this.valid(e));
    const pick = found.find(({ e }) => e.listKind === 'watchlist') ?? found[0];
    return pick && { entryId: pick.e.entryId, listKind: pick.e.listKind, severity: pick.e.severity };
  }

  /** Best score of an entry over its templates (several photos per person); templates of another model's size are skipped. */
  private score(templates: readonly Float32Array[], template: Float32Array): number {
    let best = -Infinity;
    for (const t of templates) if (t.length === template.length) best = Math.max(best, cosineSimilarity(t, template));
    return best;
  }

  nearWatchlist(template: Float32Array): ListHit | undefined {
    let best: ListHit | undefined;
    for (const { e, templates } of this.entries) {
      if (e.listKind !== 'watchlist' || !this.valid(e)) continue;
      const score = this.score(templates, template);
      if (score >= this.thresholds.watchlistReview && score < this.thresholds.watchlist && score > (best?.score ?? -Infinity))
        best = { entryId: e.entryId, listKind: e.listKind, severity: e.severity, score };
    }
    return best;
  }

  matchFace(template: Float32Array): ListHit | undefined {
    let best: ListHit | undefined;
    for (const { e, templates } of this.entries) {
      if (!this.valid(e)) continue;
      for (const t of templates) {
        if (t.length !== template.length) continue;
        const score = cosineSimilarity(t, template);
        if (score < this.thresholds[e.listKind]) continue;
        // A watchlist hit outranks any allowlist hit; otherwise the closest wins.
        const better =
          !best ||
          (e.listKind === 'watchlist' && best.listKind !== 'watchlist') ||
          (e.listKind === best.listKind && score > (best.score ?? 0));
        if (better) best = { entryId: e.entryId, listKind: e.listKind, severity: e.severity, score };
      }
    }
    return best;
  }
}
