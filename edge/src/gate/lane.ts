import { parseCccdQr, type CccdQr } from '../../../libs/cccd/src/index.js';
import type { Decision, GateCommand, LanePhase } from '../../../libs/contracts/src/index.js';
import { decide, type Verdict } from './decide.js';
import type { LaneConfig, SitePolicy } from './lane-config.schema.js';
import type { AntiPassback } from './anti-passback.js';
import type { Actuation, CardHandle, FaceCapturer, FaceMatcher, LaneSink, LaneWatchlist } from './lane-ports.js';
import { AccessKeys, type PendingQr } from './lane-steps/access-keys.js';
import { ActuationStep } from './lane-steps/actuation-step.js';
import { ChipStep } from './lane-steps/chip-step.js';
import { ConsoleView } from './lane-steps/console-view.js';
import { elapsedMs, newCycle, type Cycle, type ReviewCommand, type Settlement } from './lane-steps/cycle.js';
import { DecisionBuilder } from './lane-steps/decision-builder.js';
import { FaceStep, RepeatFaces } from './lane-steps/face-step.js';
import { MatchStep } from './lane-steps/match-step.js';
import { VneidStep } from './lane-steps/vneid-step.js';
import { WatchlistStep } from './lane-steps/watchlist-step.js';
import { ZonePresenceStep } from './lane-steps/zone-presence-step.js';
import { runStep, StepFailure } from './step-timeout.js';
import type { VneidVerifier } from './vneid/vneid-verifier.js';

export interface LaneDeps {
  siteId: string;
  zoneId: string;
  gateId: string;
  config: LaneConfig;
  policy: SitePolicy;
  antiPassbackZone: boolean;
  antiPassback: AntiPassback;
  face?: FaceCapturer;
  matcher: FaceMatcher;
  watchlist: LaneWatchlist;
  actuator?: Actuation;
  /** Online check of VNeID QRs; absent → every VNeID cycle goes to an operator. */
  vneid?: { verifier: VneidVerifier; timeoutMs: number };
  /** HMAC of an ID number with the site's matching key (hex). */
  hmacId(idNumber: string): string;
  sink: LaneSink;
  /** The lane's clock (ms since the epoch) where time decides: a key's freshness, a repeat face, the review deadline. Default `Date.now`. */
  now?: () => number;
}

/**
 * The lane's states and the moves between them — the whole diagram. A cycle may end in `denied`
 * from any step (a failure, `lane_error`); `open` only after the face was verified (or reviewed),
 * or by an operator's manual open; a new cycle may start while a result is still shown.
 */
export const LANE_TRANSITIONS: Readonly<Record<LanePhase, readonly LanePhase[]>> = {
  idle: ['reading_card', 'capturing_face', 'verifying', 'open', 'denied'],
  reading_card: ['capturing_face', 'denied'],
  capturing_face: ['verifying', 'denied'],
  verifying: ['verifying', 'capturing_face', 'awaiting_review', 'open', 'denied', 'idle'],
  awaiting_review: ['open', 'denied'],
  open: ['idle', 'reading_card', 'capturing_face', 'verifying', 'open', 'denied'],
  denied: ['idle', 'reading_card', 'capturing_face', 'verifying', 'open', 'denied'],
  // Shown by the gate service for a lane that could not start; a Lane never enters it.
  fault: [],
};

export class LaneTransitionError extends Error {
  override name = 'LaneTransitionError';
  constructor(laneId: string, from: LanePhase, to: LanePhase) {
    super(`lane ${laneId}: no transition ${from} → ${to}`);
  }
}

/**
 * One lane's state machine. Inputs are events (card inserted/removed, QR scanned, CAN typed, a face
 * seen, an operator command); each entrant is one cycle that reads the chip and captures the live
 * face in parallel, matches, checks the lists and decides OPEN / DENY / REVIEW. Every step is a unit
 * of its own (`lane-steps/`) with a deadline and a reason; nothing a card, camera or operator does
 * throws out of the lane.
 */
export class Lane {
  private state: LanePhase = 'idle';
  private cycle: Cycle | undefined;
  private card: CardHandle | undefined;
  private resultTimer: NodeJS.Timeout | undefined;
  private qrGraceTimer: NodeJS.Timeout | undefined;
  /** When the lane last became idle (presence triggers wait a moment after a decision). */
  idleSince: number;
  /** Card disconnects in flight: shutdown waits for them (the PC/SC context must not close under one). */
  private released: Promise<unknown> = Promise.resolve();
  /** Resolves when the current cycle has fully finished (tests, shutdown). */
  idle: Promise<void> = Promise.resolve();
  /** Set by close(): no new cycle starts (a face seen or a card laid down while the edge stops). */
  private closed = false;

  private readonly keys: AccessKeys;
  private readonly chip: ChipStep;
  private readonly vneid: VneidStep | undefined;
  private readonly face: FaceStep;
  private readonly repeats: RepeatFaces;
  private readonly lists: WatchlistStep;
  private readonly match: MatchStep;
  private readonly presence: ZonePresenceStep;
  private readonly actuation: ActuationStep;
  private readonly decisions: DecisionBuilder;
  private readonly view: ConsoleView;

  private readonly now: () => number;

  constructor(private readonly d: LaneDeps) {
    const { config: l, matcher } = d;
    this.now = d.now ?? Date.now;
    this.idleSince = this.now();
    this.keys = new AccessKeys(l.timeouts.pendingKeyMs, this.now);
    this.chip = new ChipStep(matcher, l.timeouts.chipReadMs, () => this.card);
    this.vneid = d.vneid ? new VneidStep(d.vneid.verifier, d.vneid.timeoutMs, matcher) : undefined;
    this.face = new FaceStep(() => this.d.face, l);
    this.repeats = new RepeatFaces(matcher, this.now);
    this.lists = new WatchlistStep(d.watchlist, d.hmacId);
    this.match = new MatchStep(matcher);
    this.presence = new ZonePresenceStep(d.antiPassback, d.zoneId, l.direction, d.antiPassbackZone);
    this.actuation = new ActuationStep(d.actuator, l.timeouts.actuatorMs);
    this.decisions = new DecisionBuilder(
      { siteId: d.siteId, zoneId: d.zoneId, gateId: d.gateId, laneId: l.id, direction: l.direction, policy: d.policy },
      matcher.model,
    );
    this.view = new ConsoleView({ siteId: d.siteId, gateId: d.gateId, laneId: l.id }, d.sink, matcher, () => ({
      phase: this.state,
      cycle: this.cycle,
    }));
  }

  get id(): string {
    return this.d.config.id;
  }

  get phase(): LanePhase {
    return this.state;
  }

  /** Free for a new entrant, or a card waiting for its CAN: when a camera QR is worth looking for. */
  get wantsQr(): boolean {
    return (this.cycle === undefined && this.state === 'idle') || this.keys.waiting;
  }

  // ── inputs ────────────────────────────────────────────────────────────────────────────────────

  cardInserted(card: CardHandle): void {
    this.release(this.card);
    this.card = card;
    if (this.busy()) return; // read when the current entrant is done; the card stays on the reader
    this.start('chip_face');
  }

  cardRemoved(): void {
    const card = this.card;
    this.card = undefined;
    this.release(card);
    if (this.cycle && (this.state === 'reading_card' || this.keys.waiting))
      this.cycle.ctl.abort(new StepFailure('card_removed', 'card left the reader during the read'));
  }

  /**
   * A QR from the lane: the card's own QR (gives the CAN) or a VNeID identification QR. Both carry
   * the same `ID|oldID|name|dob|sex|address|issued` text, so `auto` (what the lane's scanners and
   * camera send) decides by context: a card on the reader, or arriving within `qrCardGraceMs`, makes
   * it the card's QR; none by then at a station lane that accepts VNeID starts a `qr_face` cycle.
   */
  qrScanned(text: string, kind: 'cccd' | 'vneid' | 'auto' = 'cccd'): void {
    let qr: CccdQr;
    try {
      qr = parseCccdQr(text);
    } catch {
      this.qrRejected('qr_unreadable');
      return;
    }
    if (kind === 'vneid') {
      if (!this.acceptsVneid() || this.busy()) return;
      this.start('qr_face', { qr });
      return;
    }
    const waiting = this.keys.waiting;
    const pending = this.keys.offerQr(qr);
    if (kind === 'auto' && !this.card && !waiting && this.acceptsVneid()) this.awaitCardOrVneid(pending);
  }

  /** A QR input could not be used (unreadable, too long): shown on the lane, the current cycle goes on. */
  qrRejected(reason: string): void {
    this.note(reason);
  }

  /** A command for this lane was refused (expired, replayed): shown on the lane, nothing else changes. */
  commandRefused(reason: string): void {
    this.note(reason);
  }

  /** The operator typed the CAN printed on the card. */
  canEntered(can: string): void {
    if (!/^\d{6}$/.test(can)) return;
    this.keys.offerCan(can);
  }

  /** The lane camera sees a face with no card presented: allowlist (industrial) or a plain count (tourist, no reader). */
  faceSeen(): void {
    if (this.busy() || this.card) return;
    if (this.d.policy === 'industrial') this.start('allowlist_face');
    else if (this.d.policy === 'tourist' && !this.d.config.reader) this.start('count_only');
  }

  command(c: GateCommand): void {
    if (c.type === 'review_decision') {
      if (c.laneId === this.id && this.cycle?.decisionId === c.decisionId) this.cycle.review?.(c);
      return;
    }
    if (c.type === 'enter_can') {
      if (c.laneId === this.id) this.canEntered(c.can);
      return;
    }
    if (c.type === 'open_gate' && (c.laneId === undefined || c.laneId === this.id) && !this.busy() && !this.closed)
      this.operatorOpen(c.issuedBy, c.reason);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cycle?.ctl.abort(new StepFailure('lane_closed'));
    clearTimeout(this.resultTimer);
    clearTimeout(this.qrGraceTimer);
    await this.idle.catch(() => undefined);
    this.release(this.card);
    this.card = undefined;
    await this.released;
  }

  // ── states and transitions ────────────────────────────────────────────────────────────────────

  private busy(): boolean {
    return this.cycle !== undefined && this.state !== 'open' && this.state !== 'denied';
  }

  /** Moves the current cycle to `phase` and shows it (a cycle that is no longer current moves nothing). */
  private enter(c: Cycle, phase: LanePhase): void {
    if (this.cycle !== c) return;
    this.move(phase);
    this.view.showCycle(c);
  }

  private move(phase: LanePhase): void {
    if (!LANE_TRANSITIONS[this.state].includes(phase)) throw new LaneTransitionError(this.id, this.state, phase);
    this.state = phase;
  }

  /** The cycle ends without a decision (nothing new to decide or count). */
  private dropCycle(): void {
    this.cycle = undefined;
    this.move('idle');
    this.idleSince = this.now();
  }

  private start(method: NonNullable<Decision['method']>, extra: { qr?: CccdQr } = {}): void {
    if (this.closed) return;
    clearTimeout(this.resultTimer);
    const cycle = newCycle(method, extra);
    this.cycle = cycle;
    this.idle = this.run(cycle).catch((e: Error) =>
      this.finish(cycle, { outcome: 'deny', reasons: ['lane_error'] }, new AbortController().signal, e.message),
    );
  }

  /**
   * Operator opens the lane by hand (assistance, an anti-passback override). Whoever walks through is
   * not known to the lane: the decision carries the operator and the reason, no identity, and it
   * changes no one's anti-passback state (the last entrant may not be the one let through). Tracked
   * in `idle`, so close() waits for a manual open in progress like for any cycle (and cuts it short).
   */
  private operatorOpen(by: string, reason: string): void {
    const c = newCycle('operator', { override: { by, reason } });
    clearTimeout(this.resultTimer);
    this.cycle = c;
    this.idle = this.finish(c, { outcome: 'open', reasons: ['operator_open'] }, c.ctl.signal);
  }

  /** The chip (or QR) and the live face, then the match and the lists, then the decision. */
  private async run(c: Cycle): Promise<void> {
    const { facts } = c;
    // The live face is captured while the chip is read: the two slowest steps overlap.
    const face = this.face.capture(c, (note) => this.view.showCycle(c, [note]));
    try {
      if (facts.method === 'chip_face') await this.readChip(c);
      else if (facts.method === 'qr_face') {
        this.lists.checkId(c, c.qr!.idNumber);
        if (this.vneid) {
          this.enter(c, 'verifying');
          await this.vneid.verify(c);
        }
      }
    } catch (e) {
      facts.failure = e instanceof StepFailure ? e.reason : 'chip_error';
      c.ctl.abort(new StepFailure(facts.failure));
      await face.catch(() => undefined);
      return this.conclude(c);
    }
    if (facts.method !== 'count_only' || this.face.available) {
      this.enter(c, 'capturing_face');
      facts.face = await face;
      if (typeof facts.face !== 'string') c.live = facts.face;
    }
    this.enter(c, 'verifying');
    try {
      await runStep('match_timeout', this.d.config.timeouts.matchMs, c.ctl.signal, async () => {
        await this.match.compare(c);
        this.lists.checkFace(c);
        this.presence.check(c);
      });
    } catch (e) {
      facts.failure = e instanceof StepFailure ? e.reason : 'match_error';
    }
    // Still the person just admitted, standing in view: nothing new to decide or count.
    if (this.repeats.seenAgain(c)) return this.dropCycle();
    if (facts.method === 'allowlist_face' && !facts.failure && facts.watch?.listKind !== 'watchlist' && !c.personKey) {
      // Not enrolled and no card: nothing to decide, the visitor presents a CCCD.
      this.dropCycle();
      this.view.show({ reasons: ['not_enrolled_present_card'] });
      return;
    }
    return this.conclude(c);
  }

  private async readChip(c: Cycle): Promise<void> {
    this.enter(c, 'reading_card');
    const can = await this.keys.take(this.d.config.timeouts.accessKeyMs, c.ctl.signal, () =>
      this.view.show({ phase: 'reading_card', decisionId: c.decisionId, reasons: ['waiting_for_access_key'] }),
    );
    const result = await this.chip.read(c, can);
    this.keys.forget();
    const id = result.personal.idNumber ?? result.mrz.personalNumber;
    if (id) this.lists.checkId(c, id);
    this.view.showCycle(c);
  }

  private async conclude(c: Cycle): Promise<void> {
    const verdict = decide(c.facts, this.d.config.policy, {
      match: this.d.matcher.threshold,
      liveness: this.d.matcher.livenessThreshold,
      ...(this.d.matcher.reviewThreshold !== undefined ? { review: this.d.matcher.reviewThreshold } : {}),
    });
    const settled = verdict.outcome === 'review' ? await this.awaitReview(c, verdict) : verdict;
    // The cycle's own signal may carry a step's failure: the lock is released regardless of it.
    return this.finish(c, settled, new AbortController().signal);
  }

  private async awaitReview(c: Cycle, verdict: Verdict): Promise<Settlement> {
    const t0 = performance.now();
    c.verdict = verdict;
    c.reviewDeadline = this.now() + this.d.config.timeouts.reviewMs;
    this.enter(c, 'awaiting_review');
    try {
      const cmd = await runStep(
        'review_timeout',
        this.d.config.timeouts.reviewMs,
        c.ctl.signal,
        () => new Promise<ReviewCommand>((resolve) => (c.review = resolve)),
      );
      const review = { verdict: cmd.verdict, by: cmd.issuedBy, reason: cmd.reason, commandId: cmd.commandId };
      return cmd.verdict === 'approve'
        ? { outcome: 'open', reasons: [...verdict.reasons, 'operator_approved'], review }
        : { outcome: 'deny', reasons: [...verdict.reasons, 'operator_denied'], review };
    } catch (e) {
      return { outcome: 'deny', reasons: [...verdict.reasons, e instanceof StepFailure ? e.reason : 'review_error'] };
    } finally {
      c.steps.review = elapsedMs(t0);
      c.review = undefined;
    }
  }

  /**
   * The one end of every cycle (an entrant's or an operator's manual open): the lock released on
   * OPEN, what the lane remembers updated, the decision into the outbox, the result shown.
   */
  private async finish(c: Cycle, v: Settlement, actuationSignal: AbortSignal, error?: string): Promise<void> {
    let outcome: 'open' | 'deny' = v.outcome === 'open' ? 'open' : 'deny';
    const reasons = [...v.reasons, ...(error ? [`error:${error.slice(0, 50)}`] : [])].slice(0, 16);
    if (outcome === 'open') {
      const act = await this.actuation.open(actuationSignal);
      if (act.failure) {
        outcome = 'deny';
        reasons.push(act.failure);
      }
      if (act.ms !== undefined) c.steps.actuator = act.ms;
    }
    c.steps.total = elapsedMs(c.started);
    this.repeats.remember(c, outcome);
    this.presence.record(c, outcome);
    this.d.sink.decision(this.decisions.event(c, { ...v, outcome, reasons }, !this.d.sink.online()));
    c.verdict = { outcome, reasons };
    this.enter(c, outcome === 'open' ? 'open' : 'denied');
    if (!c.override) {
      this.release(this.card);
      this.card = undefined;
    }
    this.returnToIdleAfterResult(c);
  }

  /** Shows the result for `resultMs`, then back to idle unless a new cycle has started meanwhile. */
  private returnToIdleAfterResult(c: Cycle): void {
    this.resultTimer = setTimeout(() => {
      if (this.cycle !== c) return;
      this.dropCycle();
      this.view.show({});
    }, this.d.config.timeouts.resultMs);
  }

  // ── QR context ────────────────────────────────────────────────────────────────────────────────

  private acceptsVneid(): boolean {
    return this.d.policy === 'station' && this.d.config.policy.acceptVneidQr;
  }

  /** No card yet for this QR: if none comes within the grace, it is a VNeID QR (once the lane is free). */
  private awaitCardOrVneid(pending: PendingQr): void {
    clearTimeout(this.qrGraceTimer);
    const check = () => {
      if (this.keys.pendingQr !== pending || this.card) return; // taken by a card, or superseded
      if (!this.keys.fresh(pending.at)) return;
      if (this.busy()) {
        this.qrGraceTimer = setTimeout(check, 250); // the previous entrant is still being decided
        return;
      }
      this.keys.pendingQr = undefined;
      this.start('qr_face', { qr: pending.qr });
    };
    this.qrGraceTimer = setTimeout(check, this.d.config.timeouts.qrCardGraceMs);
  }

  private note(reason: string): void {
    if (this.cycle) this.view.showCycle(this.cycle, [reason]);
    else this.view.show({ reasons: [reason] });
  }

  private release(card: CardHandle | undefined): void {
    if (card) this.released = Promise.all([this.released, card.close().catch(() => undefined)]);
  }
}
