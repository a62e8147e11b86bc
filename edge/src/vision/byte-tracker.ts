import { iou, type Box } from './geometry.js';
import { KalmanBoxFilter } from './kalman-box-filter.js';
import { linearAssignment } from './linear-assignment.js';
import type { PersonDetection } from './person-detector.js';

export interface ByteTrackerOptions {
  /** Detections at or above this score are "high" and may start tracks. */
  highScore?: number;
  /** Detections between lowScore and highScore only extend existing tracks (ByteTrack's 2nd pass). */
  lowScore?: number;
  /** Minimum IoU for the first (high-score) association. */
  matchIou?: number;
  /** Minimum IoU for the low-score association. */
  lowMatchIou?: number;
  /** Updates a new track needs before it is confirmed (gets counted). */
  minHits?: number;
  /** Updates a lost track is kept to be re-found before it is removed. */
  maxLost?: number;
}

export type TrackState = 'tentative' | 'tracked' | 'lost';

export interface Track {
  readonly id: number;
  state: TrackState;
  /** Kalman-filtered box after this update. */
  box: Box;
  /** Detection matched this update, if any. */
  detection?: PersonDetection;
  score: number;
  hits: number;
  age: number;
  lostFor: number;
}

/**
 * ByteTrack-style multi-object tracker: Kalman prediction, then Hungarian matching on IoU — first
 * high-score detections against all live tracks, then low-score detections against the tracks still
 * unmatched (people half hidden behind someone keep their id), then new tentative tracks. Ids are
 * increasing integers that are never reused.
 */
export class ByteTracker {
  private readonly o: Required<ByteTrackerOptions>;
  private readonly filters = new Map<number, KalmanBoxFilter>();
  private tracks: Track[] = [];
  private nextId = 1;

  constructor(options: ByteTrackerOptions = {}) {
    this.o = {
      highScore: options.highScore ?? 0.25,
      lowScore: options.lowScore ?? 0.12,
      matchIou: options.matchIou ?? 0.2,
      lowMatchIou: options.lowMatchIou ?? 0.4,
      minHits: options.minHits ?? 2,
      maxLost: options.maxLost ?? 8,
    };
  }

  /** Live tracks after the last update (tentative, tracked and lost). */
  get all(): readonly Track[] {
    return this.tracks;
  }

  /** Feeds one frame's detections; returns the confirmed tracks matched in this frame. */
  update(detections: readonly PersonDetection[]): Track[] {
    const high = detections.filter((d) => d.score >= this.o.highScore);
    const low = detections.filter((d) => d.score >= this.o.lowScore && d.score < this.o.highScore);
    for (const t of this.tracks) {
      t.box = this.filters.get(t.id)!.predict();
      t.age++;
      delete t.detection;
    }
    const confirmed = this.tracks.filter((t) => t.state !== 'tentative');
    const tentative = this.tracks.filter((t) => t.state === 'tentative');

    // 1st pass: confirmed (tracked + lost) tracks vs high-score detections.
    const first = this.match(confirmed, high, this.o.matchIou);
    const leftTracks = first.unmatchedTracks.filter((t) => t.state === 'tracked');
    const lostStill = first.unmatchedTracks.filter((t) => t.state === 'lost');
    const leftHigh = first.unmatchedDets;

    // 2nd pass: still-unmatched tracked tracks vs low-score detections.
    const second = this.match(leftTracks, low, this.o.lowMatchIou);

    // 3rd pass: tentative tracks vs remaining high detections.
    const third = this.match(tentative, leftHigh, this.o.matchIou);

    for (const t of [...second.unmatchedTracks, ...lostStill]) {
      t.state = 'lost';
      t.lostFor++;
    }
    const removed = new Set<number>();
    for (const t of third.unmatchedTracks) removed.add(t.id);
    for (const t of this.tracks) if (t.state === 'lost' && t.lostFor > this.o.maxLost) removed.add(t.id);
    for (const id of removed) this.filters.delete(id);
    this.tracks = this.tracks.filter((t) => !removed.has(t.id));

    for (const d of third.unmatchedDets) {
      const filter = new KalmanBoxFilter(d.box);
      const t: Track = {
        id: this.nextId++,
        state: 'tentative',
        box: filter.box(),
        detection: d,
        score: d.score,
        hits: 1,
        age: 1,
        lostFor: 0,
      };
      if (this.o.minHits <= 1) t.state = 'tracked';
      this.filters.set(t.id, filter);
      this.tracks.push(t);
    }
    return this.tracks.filter((t) => t.state === 'tracked' && t.detection !== undefined);
  }

  private match(tracks: Track[], dets: PersonDetection[], minIou: number) {
    const cost = tracks.map((t) => dets.map((d) => 1 - iou(t.box, d.box)));
    const a = linearAssignment(cost, 1 - minIou, dets.length);
    for (const [ti, di] of a.matches) {
      const t = tracks[ti]!;
      const d = dets[di]!;
      const f = this.filters.get(t.id)!;
      f.update(d.box);
      t.box = f.box();
      t.detection = d;
      t.score = d.score;
      t.hits++;
      t.lostFor = 0;
      if (t.state === 'lost' || (t.state === 'tentative' && t.hits >= this.o.minHits)) t.state = 'tracked';
    }
    return {
      unmatchedTracks: a.unmatchedRows.map((i) => tracks[i]!),
      unmatchedDets: a.unmatchedCols.map((i) => dets[i]!),
    };
  }
}
