import { randomInt } from 'node:crypto';
import { estimatePose, eyeAspectRatio, type Point } from '../../../libs/face/src/index.js';
import type { LanePolicy } from './lane-config.schema.js';
import type { CaptureOptions } from './lane-ports.js';

/**
 * Active liveness against replay: a short challenge drawn at random for each attempt (e.g. "turn
 * left", "blink", "turn right" in an order nobody knows beforehand), judged from the 68 landmarks
 * and the head pose of every frame of the capture window. A photo cannot turn or blink; a recorded
 * video cannot know the order, so it turns or blinks at the wrong time (wrong_order) or not in time
 * (too_slow); a still on a screen or a paused video gives identical frames (frozen); a clip played
 * in a loop repeats its landmark track exactly (looped).
 *
 * A step is done when the action is seen and the face has come back to the centre (head frontal,
 * eyes open); it must be done within `stepMs` of its prompt. Any other action while a step is
 * prompted (a turn the other way, a turn during "blink") fails the challenge at that step. Blinks
 * during a turn are natural and ignored.
 *
 * Directions are the entrant's own: "turn left" is the person's left, which on an unmirrored camera
 * frame moves the nose tip towards the image's right (positive yaw from `estimatePose`). Set
 * `mirrored` for a camera that flips its frames.
 */
export type ChallengeStep = 'turn_left' | 'turn_right' | 'blink';
export type ChallengeFailure = 'wrong_order' | 'too_slow' | 'frozen' | 'looped' | 'no_face';
export type ChallengeStatus = 'running' | 'passed' | 'failed';

export interface ChallengeOptions {
  /** Steps per challenge (drawn with no step twice in a row). */
  steps: number;
  /** Time allowed for each step from its prompt, ms. */
  stepMs: number;
  /** Yaw (degrees) beyond which a head counts as turned. */
  turnDeg: number;
  /** |yaw| below which the head counts as back at the centre. */
  centreDeg: number;
  /** Eye aspect ratio falling below `closedRatio` × the open level, then back above `reopenRatio` ×: a blink. */
  closedRatio: number;
  reopenRatio: number;
  /** Mean landmark movement between consecutive frames below this share of the inter-ocular distance: no movement. */
  frozenEps: number;
  /** Consecutive motionless frames that make a frozen capture. */
  frozenFrames: number;
  /** Mean distance to a frame `lag` frames earlier below this share of the inter-ocular distance: a repeated frame. */
  loopEps: number;
  /** Consecutive repeated frames at one lag (with movement between them) that make a loop. */
  loopFrames: number;
  /** Smallest lag (frames) considered a loop; shorter is a still face, judged by `frozen`. */
  loopMinLag: number;
  /** Frames kept for the loop check. */
  history: number;
  /** Camera frames are mirrored (left/right swapped). */
  mirrored: boolean;
}

export const DEFAULT_CHALLENGE: ChallengeOptions = {
  steps: 3,
  stepMs: 4000,
  turnDeg: 20,
  centreDeg: 10,
  closedRatio: 0.65,
  reopenRatio: 0.85,
  frozenEps: 0.001,
  frozenFrames: 8,
  loopEps: 0.002,
  loopFrames: 4,
  loopMinLag: 3,
  history: 150,
  mirrored: false,
};

const ALL_STEPS: readonly ChallengeStep[] = ['turn_left', 'turn_right', 'blink'];

/** A random challenge: `n` steps, each different from the one before (with 3 steps: 12 orders). */
export function drawChallenge(n = DEFAULT_CHALLENGE.steps, rand: (max: number) => number = randomInt): ChallengeStep[] {
  const out: ChallengeStep[] = [];
  while (out.length < n) {
    const choices = ALL_STEPS.filter((s) => s !== out[out.length - 1]);
    out.push(choices[rand(choices.length)]!);
  }
  return out;
}

export interface ChallengeState {
  status: ChallengeStatus;
  steps: readonly ChallengeStep[];
  /** Index of the step now prompted (or the one that failed); `steps.length` once passed. */
  index: number;
  /** The step that failed and why. */
  failedStep?: ChallengeStep;
  failure?: ChallengeFailure;
}

interface Seen {
  shape: Point[];
  iod: number;
}

/** Landmarks relative to the eye midpoint (translation removed), for frame-to-frame comparison. */
function normalised(l: readonly Point[]): Seen {
  const mx = (l[36].x + l[45].x) / 2,
    my = (l[36].y + l[45].y) / 2;
  const pose = estimatePose(l);
  return { shape: l.map((p) => ({ x: p.x - mx, y: p.y - my })), iod: Math.max(1e-6, pose.interocular) };
}

function meanDistance(a: Seen, b: Seen): number {
  let s = 0;
  for (let i = 0; i < a.shape.length; i++) s += Math.hypot(a.shape[i].x - b.shape[i].x, a.shape[i].y - b.shape[i].y);
  return s / a.shape.length / a.iod;
}

/**
 * The challenge's state machine. Feed every analysed frame (`push`) with its capture time; frames
 * with no face count only towards the time limit (`tick`). The state is final once `passed` or `failed`.
 */
export class LivenessChallenge {
  readonly steps: readonly ChallengeStep[];
  private readonly o: ChallengeOptions;
  private index = 0;
  private stepStart: number | undefined;
  private status: ChallengeStatus = 'running';
  private failedStep?: ChallengeStep;
  private failure?: ChallengeFailure;
  /** Within the current step: the action was seen, now waiting for the face back at the centre. */
  private acted = false;
  /** The head must be seen frontal before a turn counts (a face that starts turned proves nothing). */
  private centredSeen = false;
  private eyesOpen = 0;
  private eyesClosed = false;
  private readonly seen: Seen[] = [];
  private still = 0;
  private repeatLag = 0;
  private repeats = 0;
  frames = 0;

  constructor(steps?: readonly ChallengeStep[], options: Partial<ChallengeOptions> = {}) {
    this.o = { ...DEFAULT_CHALLENGE, ...options };
    this.steps = steps ?? drawChallenge(this.o.steps);
    if (!this.steps.length) throw new RangeError('a liveness challenge needs at least one step');
  }

  /** The step the entrant should do now (undefined once the challenge is over). */
  get prompt(): ChallengeStep | undefined {
    return this.status === 'running' ? this.steps[this.index] : undefined;
  }

  get state(): ChallengeState {
    return {
      status: this.status,
      steps: this.steps,
      index: this.index,
      ...(this.failedStep ? { failedStep: this.failedStep, failure: this.failure } : {}),
    };
  }

  /** Starts the clock of the first step (called when its prompt is shown; else at the first frame). */
  start(at: number): void {
    this.stepStart ??= at;
  }

  /** Time passes without a usable face: fails the step once its time is up. */
  tick(at: number): ChallengeState {
    this.start(at);
    if (this.status === 'running' && at - this.stepStart! > this.o.stepMs) this.fail('too_slow');
    return this.state;
  }

  /** One frame's 68 landmarks at time `at` (ms). */
  push(landmarks68: readonly Point[], at: number): ChallengeState {
    if (this.status !== 'running') return this.state;
    this.frames++;
    this.start(at);
    if (landmarks68.length < 68) throw new RangeError(`a liveness challenge needs 68 landmarks, got ${landmarks68.length}`);
    if (this.replayed(normalised(landmarks68))) return this.state;
    if (at - this.stepStart! > this.o.stepMs) return this.fail('too_slow');

    const pose = estimatePose(landmarks68);
    const yaw = this.o.mirrored ? -pose.yaw : pose.yaw;
    const turned: ChallengeStep | undefined = yaw >= this.o.turnDeg ? 'turn_left' : yaw <= -this.o.turnDeg ? 'turn_right' : undefined;
    const centred = Math.abs(yaw) <= this.o.centreDeg;
    const blinked = this.blink(eyeAspectRatio(landmarks68), centred);
    const step = this.steps[this.index]!;

    if (turned && !this.centredSeen) return this.state; // still turned from before: wait for the centre
    if (centred) this.centredSeen = true;
    if (step === 'blink') {
      if (turned) return this.fail('wrong_order');
      if (blinked) this.acted = true;
    } else if (turned) {
      if (turned !== step) return this.fail('wrong_order');
      this.acted = true;
    }
    if (this.acted && centred && this.eyesOpenNow(landmarks68)) this.next(at);
    return this.state;
  }

  private eyesOpenNow(l: readonly Point[]): boolean {
    return !this.eyesClosed && (this.eyesOpen === 0 || eyeAspectRatio(l) >= this.eyesOpen * this.o.reopenRatio);
  }

  /** Eye aspect ratio tracking; true on the frame a blink (open → closed → open) completes. */
  private blink(ear: number, frontal: boolean): boolean {
    if (!frontal) return false; // the eye ratio is unreliable on a turned head
    if (this.eyesOpen > 0 && ear < this.eyesOpen * this.o.closedRatio) {
      this.eyesClosed = true;
      return false;
    }
    if (this.eyesClosed && ear >= this.eyesOpen * this.o.reopenRatio) {
      this.eyesClosed = false;
      return true;
    }
    if (!this.eyesClosed) this.eyesOpen = Math.max(this.eyesOpen * 0.98, ear);
    return false;
  }

  /** Frozen and looped captures: identical consecutive frames, or a landmark track repeating at one lag. */
  private replayed(s: Seen): boolean {
    const prev = this.seen[this.seen.length - 1];
    if (prev && meanDistance(s, prev) < this.o.frozenEps) {
      if (++this.still >= this.o.frozenFrames - 1) {
        this.fail('frozen');
        return true;
      }
    } else this.still = 0;
    // Loop: this frame equals the frame `lag` back, and so did the previous ones at the same lag.
    let lag = 0;
    const n = this.seen.length;
    if (this.repeatLag && n >= this.repeatLag && meanDistance(s, this.seen[n - this.repeatLag]!) < this.o.loopEps) lag = this.repeatLag;
    else
      for (let k = this.o.loopMinLag; k <= n; k++)
        if (meanDistance(s, this.seen[n - k]!) < this.o.loopEps && (!prev || meanDistance(s, prev) >= this.o.frozenEps)) {
          lag = k;
          break;
        }
    if (lag && lag === this.repeatLag) this.repeats++;
    else [this.repeatLag, this.repeats] = [lag, lag ? 1 : 0];
    this.seen.push(s);
    if (this.seen.length > this.o.history) this.seen.shift();
    if (this.repeats >= this.o.loopFrames) {
      this.fail('looped');
      return true;
    }
    return false;
  }

  private next(at: number): void {
    this.index++;
    this.acted = false;
    this.stepStart = at;
    if (this.index >= this.steps.length) this.status = 'passed';
  }

  private fail(why: ChallengeFailure): ChallengeState {
    this.status = 'failed';
    this.failedStep = this.steps[this.index];
    this.failure = why;
    return this.state;
  }
}

/**
 * How the lane captures a face under its liveness policy: the capture options, and the window —
 * with the active challenge, the face window plus the time its steps are allowed.
 */
export function captureOptions(
  policy: Pick<LanePolicy, 'livenessCheck' | 'challenge'>,
  faceWindowMs: number,
  onPrompt: (step: ChallengeStep, index: number) => void,
): { window: number; options: CaptureOptions | undefined } {
  if (policy.livenessCheck === 'blink') return { window: faceWindowMs, options: { challenge: 'blink' } };
  if (policy.livenessCheck !== 'challenge') return { window: faceWindowMs, options: undefined };
  const c = { ...DEFAULT_CHALLENGE, ...policy.challenge };
  return {
    window: faceWindowMs + c.steps * c.stepMs,
    options: { challenge: 'active', onPrompt, challengeOptions: { steps: c.steps, stepMs: c.stepMs, mirrored: c.mirrored } },
  };
}
