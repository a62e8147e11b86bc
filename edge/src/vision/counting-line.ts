import type { Box, Point } from './geometry.js';

export type Crossing = 'entry' | 'exit';

export interface CountingLineSpec {
  id: string;
  /** Segment ends in frame pixels. */
  from: Point;
  to: Point;
  /** Any point on the inside of the gate: crossing toward its side is an entry, away from it an exit. */
  inside: Point;
  /**
   * Half-width of the dead band around the line, in pixels. A person is on a side only once the
   * anchor is past the band, so someone who steps onto the line and turns back is not counted and
   * detector jitter on the line never counts twice.
   */
  band: number;
  /** Which point of the person box must cross: feet (bottom centre) or box centre. */
  anchor: 'bottom' | 'center';
}

/** Per-track memory of one line: the last side the track was firmly on. */
interface SideMemory {
  side: -1 | 1;
  /** Where along the segment (0..1) the track was when last firmly on that side. */
  along: number;
  /** The side this track's last counted crossing arrived on. */
  counted?: -1 | 1;
}

/**
 * A track that has been counted must go this many bands past the line to be counted back: a person
 * who crosses and turns round walks back out of the band at once, while a track whose box jitters
 * or merges with a neighbour near the line (blobs, crowds) would otherwise count in, out, in.
 */
export const RECOUNT_BANDS = 3;

/**
 * One counting line. `observe` is fed each tracked person's box once per detection frame and answers
 * with a crossing when the person went from one side (past the band) to the other (past the band)
 * within the segment's extent.
 */
export class CountingLine {
  private readonly memory = new Map<number, SideMemory>();
  private readonly dx: number;
  private readonly dy: number;
  private readonly length: number;
  private readonly insideSide: -1 | 1;

  constructor(readonly spec: CountingLineSpec) {
    this.dx = spec.to.x - spec.from.x;
    this.dy = spec.to.y - spec.from.y;
    this.length = Math.hypot(this.dx, this.dy);
    if (this.length < 1) throw new Error(`counting line ${spec.id} is too short`);
    const inside = this.signedDistance(spec.inside);
    if (Math.abs(inside) < 1) throw new Error(`counting line ${spec.id}: the inside point lies on the line`);
    this.insideSide = inside > 0 ? 1 : -1;
  }

  anchorOf(box: Box): Point {
    return this.spec.anchor === 'bottom' ? { x: (box.x1 + box.x2) / 2, y: box.y2 } : { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 };
  }

  /** Signed distance of p from the line in pixels; the sign tells the side. */
  signedDistance(p: Point): number {
    return (this.dy * (p.x - this.spec.from.x) - this.dx * (p.y - this.spec.from.y)) / this.length;
  }

  /** Position of p's projection along the segment: 0 at `from`, 1 at `to`. */
  along(p: Point): number {
    return ((p.x - this.spec.from.x) * this.dx + (p.y - this.spec.from.y) * this.dy) / (this.length * this.length);
  }

  observe(trackId: number, box: Box): Crossing | undefined {
    const p = this.anchorOf(box);
    const d = this.signedDistance(p);
    if (Math.abs(d) < this.spec.band) return undefined;
    const side: -1 | 1 = d > 0 ? 1 : -1;
    const along = this.along(p);
    const prev = this.memory.get(trackId);
    if (prev && prev.side !== side && prev.counted === prev.side && Math.abs(d) < RECOUNT_BANDS * this.spec.band) return undefined;
    this.memory.set(trackId, { side, along, ...(prev?.counted ? { counted: prev.counted } : {}) });
    if (!prev || prev.side === side) return undefined;
    // Crossed: count it only if the path passed through the segment, not around its ends.
    const mid = (prev.along + along) / 2;
    if (mid < 0 || mid > 1) return undefined;
    this.memory.get(trackId)!.counted = side;
    return side === this.insideSide ? 'entry' : 'exit';
  }

  forget(trackId: number): void {
    this.memory.delete(trackId);
  }

  /** Track ids this line remembers (for pruning). */
  trackIds(): IterableIterator<number> {
    return this.memory.keys();
  }
}
