import type { CccdReadResult } from '../../../libs/cccd/src/index.js';
import type { Decision, GateEvent, LaneState } from '../../../libs/contracts/src/index.js';
import type { ChallengeFailure, ChallengeOptions, ChallengeStep } from './liveness-challenge.js';

/** A card on the lane's reader; `read` with an access key, `close` on removal or after the read. */
export interface CardHandle {
  read(key: { can: string }): Promise<CccdReadResult>;
  close(): Promise<void>;
}

/** The best live face found in the capture window. */
export interface LiveFace {
  embedding: Float32Array;
  liveness: number | undefined;
  qualityOk: boolean;
  /** Small JPEG of the face for the console and the audit. */
  cropJpeg?: Uint8Array;
  /** ms spent on liveness while capturing (for the step timings). */
  livenessMs: number;
  /** Frames fused into `embedding` (best-few-frames fusion; 1 when only one frame was usable). */
  fusedFrames?: number;
  /** With a blink or active challenge: whether it was passed during the capture window. */
  challenge?: 'passed' | 'failed';
  /** The active challenge drawn for this attempt, and the step that failed with why. */
  challengeSteps?: ChallengeStep[];
  challengeFailure?: { step: ChallengeStep; reason: ChallengeFailure };
}

export interface CaptureOptions {
  /** 'blink': watch for a blink; 'active': a random challenge (liveness-challenge.ts), prompted step by step. */
  challenge?: 'blink' | 'active';
  /** Shows the entrant the step to do now (active challenge). */
  onPrompt?: (step: ChallengeStep, index: number) => void;
  challengeOptions?: Partial<ChallengeOptions>;
}

export type CaptureFailure = 'no_face' | 'camera_unavailable';

/** The lane camera seen through the face pipeline. */
export interface FaceCapturer {
  /** Best live face within `windowMs`, or why there is none. Stops early on a good face. */
  capture(windowMs: number, signal: AbortSignal, options?: CaptureOptions): Promise<LiveFace | CaptureFailure>;
}

/** Face model operations the lane needs (libs/face behind it). */
export interface FaceMatcher {
  readonly threshold: number;
  /** Manifest id of the embedder (sent with the live template so the hub compares like with like). */
  readonly model?: string;
  /** Scores in [reviewThreshold, threshold) go to an operator (REVIEW); absent: threshold − policy.reviewMargin. */
  readonly reviewThreshold?: number;
  readonly livenessThreshold: number;
  /** Embedding of the chip (DG2) photo; undefined when no face is found in it. */
  embedReference(photo: Uint8Array): Promise<Float32Array | undefined>;
  similarity(a: Float32Array, b: Float32Array): number;
  /** Small JPEG of the chip photo for the console. */
  thumbnail?(photo: Uint8Array): Promise<Uint8Array | undefined>;
}

export interface ListHit {
  entryId: string;
  listKind: 'watchlist' | 'allowlist';
  severity?: string;
  score?: number;
}

/** The edge's synced watchlist/allowlist cache (PART B's `edge/src/watchlist`), as the lane uses it. */
export interface LaneWatchlist {
  matchIdNumber(idNumberHmac: string): ListHit | undefined;
  matchFace(template: Float32Array): ListHit | undefined;
  /** The closest watchlist entry scoring in the alert REVIEW band (below a hit): a possible match for an operator. */
  nearWatchlist?(template: Float32Array): ListHit | undefined;
  /** False until the lists have been received from the hub at least once (absent: always usable). */
  ready?(): boolean;
}

export interface Actuation {
  /** Releases the lock for the lane's pulse; resolves once applied. */
  open(): Promise<void>;
}

/** Where a lane's results go: decisions into the outbox, states to the console. */
export interface LaneSink {
  decision(event: GateEvent & { decision: Decision }): void;
  state(state: LaneState): void;
  /** Whether the hub link is up right now (events are marked `offline` otherwise). */
  online(): boolean;
}
