import sharp from 'sharp';
import { BlinkDetector, cosineSimilarity, l2Normalise, type FacePipeline } from '../../../libs/face/src/index.js';
import type { RgbFrame } from '../camera/frame.js';
import type { FrameSource } from '../camera/frame-source.js';
import type { CaptureFailure, CaptureOptions, FaceCapturer, LiveFace } from './lane-ports.js';
import { LivenessChallenge } from './liveness-challenge.js';

/** Longest wait for a first frame before the camera counts as down for this entrant. */
const NO_FRAME_MS = 1500;
/** Good frames fused into the live template, and how long to keep looking for more after the first. */
export const FUSE_FRAMES = 3;
const FUSE_MS = 350;

/**
 * Best-few-frames fusion: the mean of the L2-normalised embeddings of the best frames that agree
 * with the best one (same person, cosine ≥ `agree`), re-normalised. One frame's blur, expression or
 * compression noise then counts for a third; a different face entering the frame is left out.
 */
export function fuseEmbeddings(ranked: readonly Float32Array[], agree: number): { embedding: Float32Array; frames: number } {
  const [best, ...rest] = ranked;
  const used = [best, ...rest.filter((e) => e.length === best.length && cosineSimilarity(best, e) >= agree)];
  const sum = new Float32Array(best.length);
  for (const e of used) for (let i = 0; i < sum.length; i++) sum[i] += e[i];
  return { embedding: l2Normalise(sum), frames: used.length };
}

/**
 * The lane camera through the face pipeline: keeps the newest frame of the source and, during a
 * capture window, analyses frames as fast as the pipeline allows, keeping the best face (quality
 * passed, highest liveness × size). A face that passes quality and liveness ends the window early.
 */
export class FrameFaceCapturer implements FaceCapturer {
  private latest: RgbFrame | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly source: FrameSource,
    private readonly faces: FacePipeline,
    private readonly livenessFloor: number,
    private readonly fuseFrames = FUSE_FRAMES,
  ) {
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

  async capture(windowMs: number, signal: AbortSignal, options: CaptureOptions = {}): Promise<LiveFace | CaptureFailure> {
    const start = Date.now();
    // With a blink challenge the window runs until the blink is seen (or it ends), not to the first good frame.
    const blink = options.challenge === 'blink' ? new BlinkDetector() : undefined;
    // With the active challenge: until it is passed or failed (or the window ends), prompting each step.
    const active = options.challenge === 'active' ? new LivenessChallenge(undefined, options.challengeOptions) : undefined;
    let prompted = -1;
    const prompt = () => {
      const step = active?.prompt;
      if (!active || !step || active.state.index === prompted) return;
      prompted = active.state.index;
      options.onPrompt?.(step, prompted);
    };
    if (active) {
      active.start(start);
      prompt();
    }
    const deadline = start + windowMs;
    type Seen = {
      face: LiveFace;
      rank: number;
      frame: RgbFrame;
      box: { x: number; y: number; width: number; height: number };
      good: boolean;
    };
    const seen: Seen[] = [];
    let livenessMs = 0;
    let seenFrame = false;
    let lastSeq = -1;
    let lastAt = start - 400; // a frame from just before the tap still shows the person at the lane
    let firstGoodAt: number | undefined;
    const good = () => seen.filter((s) => s.good).length;
    while (!signal.aborted && Date.now() < deadline) {
      // Enough good frames, or the first good one plus a short look for more: stop.
      const fused = firstGoodAt !== undefined && (good() >= this.fuseFrames || Date.now() - firstGoodAt >= FUSE_MS);
      if (fused && (!blink || blink.passed) && (!active || active.state.status !== 'running')) break;
      const waitMore = blink || active?.state.status === 'running';
      const until =
        firstGoodAt !== undefined && !waitMore
          ? Math.min(deadline, firstGoodAt + FUSE_MS)
          : seenFrame
            ? deadline
            : Math.min(deadline, start + NO_FRAME_MS);
      const frame = await this.next(lastSeq, lastAt, until, signal);
      if (!frame) {
        if (!seenFrame) return 'camera_unavailable';
        continue;
      }
      seenFrame = true;
      lastSeq = frame.seq;
      lastAt = frame.capturedAt;
      // With enough good frames already, a challenge frame needs only its landmarks: skipping the
      // embedder and the passive model keeps the frame rate up, so a short blink is not missed.
      const landmarksOnly = !!active && good() >= this.fuseFrames;
      const [face] = await this.faces.analyze(
        { width: frame.width, height: frame.height, data: frame.data },
        {
          maxFaces: 1,
          search: 'fast',
          ...(landmarksOnly ? { embed: false, liveness: false } : {}),
          onStage: (stage, ms) => stage === 'liveness' && (livenessMs += ms),
        },
      );
      if (!face) {
        active?.tick(frame.capturedAt);
        continue;
      }
      blink?.push(face.landmarks68);
      active?.push(face.landmarks68, frame.capturedAt);
      prompt();
      if (!face.embedding) continue;
      const live = face.liveness ?? 1;
      const rank = (face.quality.ok ? 2 : 0) + live + Math.min(1, face.box.width / 200);
      const ok = face.quality.ok && live >= this.livenessFloor;
      seen.push({
        face: { embedding: face.embedding, liveness: face.liveness, qualityOk: face.quality.ok, livenessMs: 0 },
        rank,
        frame,
        box: face.box,
        good: ok,
      });
      if (ok && firstGoodAt === undefined) firstGoodAt = Date.now();
    }
    if (!seen.length) return seenFrame ? 'no_face' : 'camera_unavailable';
    seen.sort((a, b) => b.rank - a.rank);
    const best = seen[0];
    // Fuse the best frames of the same standard (all good, or — with no good frame — the best few).
    const pool = seen.filter((s) => s.good === best.good).slice(0, this.fuseFrames);
    const fused = fuseEmbeddings(
      pool.map((s) => s.face.embedding),
      this.faces.thresholdsFor('card').review,
    );
    best.face.embedding = fused.embedding;
    best.face.fusedFrames = fused.frames;
    // Liveness of a fused capture is its weakest fused frame's: one spoofed frame is enough to doubt.
    if (best.face.liveness !== undefined) best.face.liveness = Math.min(...pool.slice(0, fused.frames).map((s) => s.face.liveness ?? 1));
    best.face.livenessMs = livenessMs;
    if (blink) best.face.challenge = blink.passed ? 'passed' : 'failed';
    if (active) {
      // The window ended with the challenge still running: its step was not done in time.
      const st = active.state.status === 'running' ? active.tick(Number.POSITIVE_INFINITY) : active.state;
      best.face.challenge = st.status === 'passed' ? 'passed' : 'failed';
      best.face.challengeSteps = [...st.steps];
      if (st.failedStep) best.face.challengeFailure = { step: st.failedStep, reason: st.failure! };
    }
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
          const [face] = await this.faces.analyze(
            { width: f.width, height: f.height, data: f.data },
            { maxFaces: 1, embed: false, liveness: false, search: 'single' },
          );
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
