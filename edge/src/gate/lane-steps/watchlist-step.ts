import type { LaneWatchlist, ListHit } from '../lane-ports.js';
import { elapsedMs, type Cycle } from './cycle.js';

/** The synced watchlist/allowlist checks of a cycle: by ID number (HMAC) and by live face. */
export class WatchlistStep {
  constructor(
    private readonly lists: LaneWatchlist,
    /** HMAC of an ID number with the site's matching key (hex). */
    private readonly hmacId: (idNumber: string) => string,
  ) {}

  checkId(c: Cycle, idNumber: string): void {
    const t0 = performance.now();
    const hmac = this.hmacId(idNumber);
    c.personKey = `id:${hmac}`;
    const hit = this.lists.matchIdNumber(hmac);
    if (hit) this.noteHit(c, hit, 'id_number');
    c.steps.watchlist = (c.steps.watchlist ?? 0) + elapsedMs(t0);
  }

  checkFace(c: Cycle): void {
    const live = c.live;
    if (live) {
      const t0 = performance.now();
      const hit = this.lists.matchFace(live.embedding);
      if (hit) this.noteHit(c, hit, 'face');
      if (hit?.listKind !== 'watchlist') {
        const near = this.lists.nearWatchlist?.(live.embedding);
        if (near) c.facts.watchNear = near;
      }
      c.steps.watchlist = (c.steps.watchlist ?? 0) + elapsedMs(t0);
    }
    if (this.lists.ready?.() === false) c.facts.listsUnsynced = true;
  }

  private noteHit(c: Cycle, hit: ListHit, by: 'id_number' | 'face'): void {
    if (c.facts.watch?.listKind === 'watchlist') return; // a watchlist hit outranks an allowlist one
    c.facts.watch = { ...hit };
    c.watchBy = by;
    if (hit.listKind === 'allowlist' && c.facts.method === 'allowlist_face') c.personKey = `allow:${hit.entryId}`;
  }
}
