import type { EdgeWatchlist } from '../watchlist/index.js';
import type { LaneWatchlist, ListHit } from './lane-ports.js';

type Hit = { entryId: string; listKind: 'watchlist' | 'allowlist'; severity: string };

/** A watchlist hit outranks an allowlist one; among equals the first (closest) wins. */
function pick<T>(hits: readonly T[], entry: (h: T) => Hit): T | undefined {
  return hits.find((h) => entry(h).listKind === 'watchlist') ?? hits[0];
}

/**
 * The lanes' list check: the hub-synced cache (`edge/src/watchlist`, answers offline from SQLite)
 * first, then entries kept on this box only (tests, a site's local additions).
 */
export class SyncedWatchlist implements LaneWatchlist {
  constructor(
    private readonly synced: EdgeWatchlist | undefined,
    private readonly local: LaneWatchlist,
  ) {}

  matchIdNumber(hmac: string): ListHit | undefined {
    const h = this.synced ? pick(this.synced.matchIdNumber(hmac), (e) => e) : undefined;
    const fromSync = h && { entryId: h.entryId, listKind: h.listKind, severity: h.severity };
    const fromLocal = this.local.matchIdNumber(hmac);
    return fromSync?.listKind === 'watchlist' ? fromSync : fromLocal?.listKind === 'watchlist' ? fromLocal : (fromSync ?? fromLocal);
  }

  /** The cache holds a hub snapshot (seq -1 = never synced); without a hub link there is nothing to wait for. */
  ready(): boolean {
    return this.synced ? this.synced.seq >= 0 : true;
  }

  nearWatchlist(template: Float32Array): ListHit | undefined {
    const m = this.synced?.nearWatchlist(template);
    const fromSync = m && { entryId: m.entry.entryId, listKind: m.entry.listKind, severity: m.entry.severity, score: m.similarity };
    const fromLocal = this.local.nearWatchlist?.(template);
    if (!fromSync) return fromLocal;
    if (!fromLocal) return fromSync;
    return (fromSync.score ?? 0) >= (fromLocal.score ?? 0) ? fromSync : fromLocal;
  }

  matchFace(template: Float32Array): ListHit | undefined {
    const m = this.synced ? pick(this.synced.matchFace(template), (f) => f.entry) : undefined;
    const fromSync = m && { entryId: m.entry.entryId, listKind: m.entry.listKind, severity: m.entry.severity, score: m.similarity };
    const fromLocal = this.local.matchFace(template);
    return fromSync?.listKind === 'watchlist' ? fromSync : fromLocal?.listKind === 'watchlist' ? fromLocal : (fromSync ?? fromLocal);
  }
}
