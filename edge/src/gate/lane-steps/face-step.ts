import type { LaneConfig } from '../lane-config.schema.js';
import type { CaptureFailure, FaceCapturer, FaceMatcher, LiveFace } from '../lane-ports.js';
import { captureOptions } from '../liveness-challenge.js';
import { runStep, StepFailure } from '../step-timeout.js';
import { elapsedMs, type Cycle } from './cycle.js';

/** A face-only lane ignores the person it just admitted for this long. */
const REPEAT_FACE_MS = 15_000;

/**
 * The live face from the lane camera within the capture window (with the blink or active challenge
 * the lane's policy asks for); never throws — no camera or no face is a fact for the decision.
 */
export class FaceStep {
  constructor(
    /** The lane camera's capturer (read at each capture: absent → `camera_unavailable`). */
    private readonly capturer: () => FaceCapturer | undefined,
    private readonly config: LaneConfig,
  ) {}

  get available(): boolean {
    return this.capturer() !== undefined;
  }

  async capture(c: Cycle, onPrompt: (note: string) => void): Promise<LiveFace | CaptureFailure> {
    const face = this.capturer();
    if (!face) return 'camera_unavailable';
    const t0 = performance.now();
    try {
      const { window, options } = captureOptions(this.config.policy, this.config.timeouts.faceWindowMs, (step) =>
        onPrompt(`challenge_prompt_${step}`),
      );
      const r = await runStep('no_face', window + 1000, c.ctl.signal, (s) => face.capture(window, s, options));
      if (typeof r !== 'string') c.steps.liveness = Math.round(r.livenessMs * 10) / 10;
      return r;
    } catch (e) {
      return e instanceof StepFailure && e.reason === 'no_face' ? 'no_face' : 'camera_unavailable';
    } finally {
      c.steps.faceCapture = elapsedMs(t0);
    }
  }
}

/**
 * Face-only lanes (allowlist, count-only) see the same person again and again while they stand in
 * view: the face last admitted (or refused as watchlisted) is not decided again for a while.
 */
export class RepeatFaces {
  private last: { embedding: Float32Array; at: number } | undefined;

  constructor(
    private readonly matcher: FaceMatcher,
    private readonly now: () => number = Date.now,
  ) {}

  seenAgain(c: Cycle): boolean {
    if (c.facts.method !== 'allowlist_face' && c.facts.method !== 'count_only') return false;
    const last = this.last;
    if (!c.live || !last || this.now() - last.at > REPEAT_FACE_MS) return false;
    if (this.matcher.similarity(last.embedding, c.live.embedding) < this.matcher.threshold) return false;
    // Seen again: the window runs from the last sighting, so someone standing in view stays one decision.
    last.at = this.now();
    return true;
  }

  /** A watchlisted face is refused (and alerted) once, not once per look while it stays in view. */
  remember(c: Cycle, outcome: 'open' | 'deny'): void {
    const remember = outcome === 'open' || c.facts.watch?.listKind === 'watchlist';
    if (remember && c.live && (c.facts.method === 'allowlist_face' || c.facts.method === 'count_only'))
      this.last = { embedding: c.live.embedding, at: this.now() };
  }
}
