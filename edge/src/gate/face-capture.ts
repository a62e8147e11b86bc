import sharp from 'sharp';
import type { FacePipeline } from '../../../libs/face/src/index.js';
import type { RgbFrame } from '../camera/frame.js';
import type { FrameSource } from '../camera/frame-source.js';
import type { CaptureFailure, FaceCapturer, LiveFace } from './lane-ports.js';

/** Longest wait for a first frame before the camera counts as down for this entrant. */
const NO_FRAME_MS = 1500;

/**
 * The lane camera through the face pipeline: keeps the newest frame of the source and, during a
 * capture window, analyses frames as fast as the pipeline allows, keeping the best face (quality
 * passed, highest liveness × size). A face that passes quality and liveness ends the window early.
 */
export class FrameFaceCapturer implements FaceCapturer {
  private latest: RgbFrame | undefined;
  private waiters: (() => void)[] = [];

  constructor(private readonly source: FrameSource, private readonly faces: FacePipeline, private readonly livenessFloor: number) {
    source.start((f) => {
      this.latest = f;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The newest frame of the lane camera (the lane's camera QR scanner looks at it too). */
  latestFrame(): RgbFrame | undefined {
    return this.latest;
  }

  private next(afterSeq: number, afterAt: number, deadline: number, signal: AbortSignal): Promise<RgbFrame | undefined> {
    const fresh = (f?: RgbFrame) => f && (f.seq !== afterSeq || f.capturedAt > afterAt);
    if (fresh(this.latest)) return Promise.resolve(this.latest);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve(fresh(this.latest) ? this.latest : undefined);
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      signal.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  async capture(windowMs: number, signal: AbortSignal): Promise<LiveFace | CaptureFailure> {
    const start = Date.now();
    const deadline = start + windowMs;
    let best: { face: LiveFace; rank: number; frame: RgbFrame; box: { x: number; y: number; width: number; height: number } } | undefined;
    let livenessMs = 0;
    let seenFrame = false;
    let lastSeq = -1;
    let lastAt = start - 400; // a frame from just before the tap still shows the person at the lane
    while (!signal.aborted && Date.now() < deadline) {
      const frame = await this.next(lastSeq, lastAt, seenFrame ? deadline : Math.min(deadline, start + NO_FRAME_MS), signal);
      if (!frame) {
        if (!seenFrame) return 'camera_unavailable';
        continue;
      }
      seenFrame = true;
      lastSeq = frame.seq;
      lastAt = frame.capturedAt;
      const [face] = await this.faces.analyze({ width: frame.width, height: frame.height, data: frame.data }, {
        maxFaces: 1,
        onStage: (stage, ms) => stage === 'liveness' && (livenessMs += ms),
      });
      if (!face?.embedding) continue;
      const live = face.liveness ?? 1;
      const rank = (face.quality.ok ? 2 : 0) + live + Math.min(1, face.box.width / 200);
      if (!best || rank > best.rank)
        best = { face: { embedding: face.embedding, liveness: face.liveness, qualityOk: face.quality.ok, livenessMs: 0 }, rank, frame, box: face.box };
      if (face.quality.ok && live >= this.livenessFloor) break;
    }
    if (!best) return seenFrame ? 'no_face' : 'camera_unavailable';
    best.face.livenessMs = livenessMs;
    best.face.cropJpeg = await faceCropJpeg(best.frame, best.box).catch(() => undefined);
    return best.face;
  }

  private presenceTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  /**
   * Face-only lanes (industrial allowlist, tourist count) have no card tap to start a cycle: while
   * `armed()` says the lane is free, look for a face every `everyMs` (detection only, ~15 ms) and
   * call `onFace` when one at least `minFacePx` wide is in view.
   */
  watchPresence(onFace: () => void, armed: () => boolean, everyMs = 300, minFacePx = 60): void {
    const tick = async () => {
      if (this.stopped) return;
      const f = this.latest;
      try {
        if (f && armed() && Date.now() - f.capturedAt < 1000) {
          const [face] = await this.faces.analyze({ width: f.width, height: f.height, data: f.data }, { maxFaces: 1, embed: false, liveness: false });
          if (face && face.box.width >= minFacePx && armed()) onFace();
        }
      } catch {
        // a bad frame: look again at the next tick
      }
      if (!this.stopped) this.presenceTimer = setTimeout(() => void tick(), everyMs);
    };
    void tick();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.presenceTimer);
    return this.source.stop();
  }
}

/** A 112 px JPEG of the face with some margin: small enough for the lane-state message. */
export async function faceCropJpeg(frame: RgbFrame, box: { x: number; y: number; width: number; height: number }): Promise<Uint8Array> {
  const m = 0.3;
  const left = Math.max(0, Math.floor(box.x - box.width * m));
  const top = Math.max(0, Math.floor(box.y - box.height * m));
  const width = Math.min(frame.width - left, Math.ceil(box.width * (1 + 2 * m)));
  const height = Math.min(frame.height - top, Math.ceil(box.height * (1 + 2 * m)));
  const jpeg = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .extract({ left, top, width, height })
    .resize(112, 112, { fit: 'cover' })
    .jpeg({ quality: 70 })
    .toBuffer();
  return new Uint8Array(jpeg);
}
