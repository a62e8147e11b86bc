import sharp from 'sharp';
import type { GateEvent } from '../../../libs/contracts/src/index.js';
import { newEventId } from '../outbox/event-id.js';
import { BestShotKeeper } from '../vision/best-shot.js';
import { ByteTracker, type ByteTrackerOptions } from '../vision/byte-tracker.js';
import type { CountingLineSpec } from '../vision/counting-line.js';
import { CrossingCounter, type CrossingEvent } from '../vision/crossing-counter.js';
import type { PersonDetector } from '../vision/person-detector.js';
import type { CameraAssignment } from './camera-config.schema.js';
import type { RgbFrame } from './frame.js';
import type { MediaStore } from './media-store.js';

/** Where camera-sourced gate events go (the edge's outbox in production, an array in tests). */
export type GateEventSink = (event: GateEvent) => void | Promise<void>;

export interface PipelineStats {
  frames: number;
  detectedFrames: number;
  detectMs: number;
  trackMs: number;
  entries: number;
  exits: number;
  tracksStarted: number;
}

/** Counting lines from normalised config coordinates to pixels of the decoded frame. */
export function lineSpecs(a: CameraAssignment): CountingLineSpec[] {
  const { width: w, height: h } = a.camera;
  return a.camera.lines.map((l) => ({
    id: l.id,
    from: { x: l.from.x * w, y: l.from.y * h },
    to: { x: l.to.x * w, y: l.to.y * h },
    inside: { x: l.inside.x * w, y: l.inside.y * h },
    band: l.band * h,
    anchor: l.anchor,
  }));
}

/**
 * One camera's frames to gate events: detect (every n-th frame) → track → count line crossings →
 * one `source: "camera"` GateEvent per crossing, with the track's best face crop when one was seen.
 */
export class CameraPipeline {
  private readonly tracker: ByteTracker;
  private readonly counter: CrossingCounter;
  private readonly bestShots = new BestShotKeeper();
  private readonly laneOf = new Map<string, string | undefined>();
  readonly stats: PipelineStats = { frames: 0, detectedFrames: 0, detectMs: 0, trackMs: 0, entries: 0, exits: 0, tracksStarted: 0 };

  constructor(
    private readonly assignment: CameraAssignment,
    private readonly detector: PersonDetector,
    private readonly sink: GateEventSink,
    private readonly media?: MediaStore,
    trackerOptions?: ByteTrackerOptions,
    /** Told of each crossing as it is counted (benchmarks time them against the clip). */
    private readonly onCrossing?: (c: CrossingEvent, frame: RgbFrame) => void,
  ) {
    this.tracker = new ByteTracker(trackerOptions);
    this.counter = new CrossingCounter(lineSpecs(assignment));
    for (const l of assignment.camera.lines) this.laneOf.set(l.id, l.laneId);
  }

  /** The tracker's current tracks (for the live view's boxes and ids). */
  get tracks() {
    return this.tracker.all;
  }

  async process(frame: RgbFrame): Promise<void> {
    this.stats.frames++;
    if (frame.seq % this.assignment.camera.detectEvery !== 0) return;
    const t0 = performance.now();
    const detections = await this.detector.detect(frame);
    const t1 = performance.now();
    const before = this.tracker.all.length === 0 ? 0 : Math.max(...this.tracker.all.map((t) => t.id));
    const tracks = this.tracker.update(detections);
    this.bestShots.observe(frame, tracks);
    const crossings = this.counter.observe(tracks, this.tracker);
    const live = new Set(this.tracker.all.map((t) => t.id));
    const newest = this.tracker.all.length === 0 ? before : Math.max(...this.tracker.all.map((t) => t.id));
    this.stats.tracksStarted += Math.max(0, newest - before);
    const t2 = performance.now();
    this.stats.detectedFrames++;
    this.stats.detectMs += t1 - t0;
    this.stats.trackMs += t2 - t1;
    for (const c of crossings) {
      this.onCrossing?.(c, frame);
      await this.emit(frame, c);
    }
    this.bestShots.prune(live);
  }

  private async emit(frame: RgbFrame, c: CrossingEvent): Promise<void> {
    const { siteId, zoneId, gateId, camera } = this.assignment;
    const eventId = newEventId();
    const event: GateEvent = {
      eventId,
      siteId,
      zoneId,
      gateId,
      direction: c.direction,
      source: 'camera',
      occurredAt: new Date(frame.capturedAt).toISOString(),
      trackId: `${camera.id}:${c.trackId}`,
    };
    const lane = this.laneOf.get(c.lineId);
    if (lane) event.laneId = lane;
    const crop = this.bestShots.take(c.trackId);
    if (crop && this.media) {
      try {
        const jpeg = await sharp(Buffer.from(crop.data.buffer, crop.data.byteOffset, crop.data.byteLength), {
          raw: { width: crop.width, height: crop.height, channels: 3 },
        })
          .jpeg({ quality: 85 })
          .toBuffer();
        const stored = await this.media.save('face_crop', `${camera.id}-${eventId}`, jpeg);
        event.attachments = [{ kind: 'face_crop', ref: stored.ref, sha256: stored.sha256 }];
      } catch {
        // A crop that cannot be stored never costs the count.
      }
    }
    if (c.direction === 'entry') this.stats.entries++;
    else this.stats.exits++;
    await this.sink(event);
  }
}
