import { accessFromQr, CccdError, parseCccdQr, type CccdQr, type CccdReadResult } from '../../../libs/cccd/src/index.js';
import type { Decision, DecisionSteps, GateCommand, Identity, LanePhase, LaneState } from '../../../libs/contracts/src/index.js';
import { newEventId } from '../outbox/event-id.js';
import { decide, type DecisionFacts, type Verdict } from './decide.js';
import type { LaneConfig, SitePolicy } from './lane-config.schema.js';
import type { AntiPassback } from './anti-passback.js';
import type { Actuation, CaptureFailure, CardHandle, FaceCapturer, FaceMatcher, LaneSink, LaneWatchlist, ListHit, LiveFace } from './lane-ports.js';
import { captureOptions } from './liveness-challenge.js';
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
}

/** What the lane knows about the entrant of the current cycle (drives the console view). */
interface Cycle {
  decisionId: string;
  ctl: AbortController;
  started: number;
  steps: DecisionSteps;
  facts: DecisionFacts;
  chip?: CccdReadResult;
  qr?: CccdQr;
  live?: LiveFace;
  chipJpeg?: Uint8Array;
  /** The chip photo's embedding, started as soon as the chip is read (overlaps the face capture). */
  reference?: Promise<Float32Array | undefined>;
  personKey?: string;
  review?: (c: Extract<GateCommand, { type: 'review_decision' }>) => void;
  reviewDeadline?: number;
  verdict?: Verdict;
  watchBy?: 'id_number' | 'face';
  /** Small JPEG of the chip photo (base64) for the console; '' while being made. */
  chipThumb?: string;
}

const CHIP_FAILURES: Partial<Record<CccdError['code'], string>> = {
  NO_CARD: 'card_removed',
  TRANSPORT: 'card_removed',
  ACCESS_DENIED: 'access_denied',
  TIMEOUT: 'chip_timeout',
};

/** How long after a failed read the lane waits for the reader to report the card gone. */
const REMOVAL_GRACE_MS = 1000;
/** A face-only lane ignores the person it just admitted for this long. */
const REPEAT_FACE_MS = 15_000;

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const isoDate = (ddmmyyyy?: string) => {
  const m = ddmmyyyy && /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(ddmmyyyy);
  return m ? `${m[3]}-${m[2]}-${m[1]}` : undefined;
};

/**
 * One lane's state machine. Inputs are events (card inserted/removed, QR scanned, CAN typed, a face
 * seen, an operator command); each entrant is one cycle that reads the chip and captures the live
 * face in parallel, matches, checks the lists and decides OPEN / DENY / REVIEW. Every step has a
 * deadline and a reason; nothing a card, camera or operator does throws out of the lane.
 */
export class Lane {
  phase: LanePhase = 'idle';
  private cycle: Cycle | undefined;
  private card: CardHandle | undefined;
  private pendingQr: { qr: CccdQr; at: number } | undefined;
  private pendingCan: { can: string; at: number } | undefined;
  private resultTimer: NodeJS.Timeout | undefined;
  private qrGraceTimer: NodeJS.Timeout | undefined;
  private keyWait: ((can: string | undefined) => void) | undefined;
  /** When the lane last became idle (presence triggers wait a moment after a decision). */
  idleSince = Date.now();
  /** The last face admitted (or refused as watchlisted) by a face-only cycle: the same person still in view is not decided again. */
  private lastFaceOnly: { embedding: Float32Array; at: number } | undefined;
  /** Card disconnects in flight: shutdown waits for them (the PC/SC context must not close under one). */
  private released: Promise<unknown> = Promise.resolve();
  /** Resolves when the current cycle has fully finished (tests, shutdown). */
  idle: Promise<void> = Promise.resolve();
  /** Set by close(): no new cycle starts (a face seen or a card laid down while the edge stops). */
  private closed = false;

  constructor(private readonly d: LaneDeps) {}

  get id(): string {
    return this.d.config.id;
  }

  /** Free for a new entrant, or a card waiting for its CAN: when a camera QR is worth looking for. */
  get wantsQr(): boolean {
    return (this.cycle === undefined && this.phase === 'idle') || this.keyWait !== undefined;
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
    if (this.cycle && (this.phase === 'reading_card' || this.keyWait)) this.cycle.ctl.abort(new StepFailure('card_removed', 'card left the reader during the read'));
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
      this.start('qr_face', qr);
      return;
    }
    const pending = { qr, at: Date.now() };
    this.pendingQr = pending;
    if (kind === 'auto' && !this.card && !this.keyWait && this.acceptsVneid()) this.awaitCardOrVneid(pending);
    this.supplyKey(accessFromQr(qr).can);
  }

  /** A QR input could not be used (unreadable, too long): shown on the lane, the current cycle goes on. */
  qrRejected(reason: string): void {
    this.note(reason);
  }

  /** A command for this lane was refused (expired, replayed): shown on the lane, nothing else changes. */
  commandRefused(reason: string): void {
    this.note(reason);
  }

  private note(reason: string): void {
    if (this.cycle) this.publishCycle(this.cycle, [reason]);
    else this.publish({ reasons: [reason] });
  }

  private acceptsVneid(): boolean {
    return this.d.policy === 'station' && this.d.config.policy.acceptVneidQr;
  }

  /** No card yet for this QR: if none comes within the grace, it is a VNeID QR (once the lane is free). */
  private awaitCardOrVneid(pending: { qr: CccdQr; at: number }): void {
    clearTimeout(this.qrGraceTimer);
    const check = () => {
      if (this.pendingQr !== pending || this.card) return; // taken by a card, or superseded
      if (Date.now() - pending.at > this.d.config.timeouts.pendingKeyMs) return;
      if (this.busy()) {
        this.qrGraceTimer = setTimeout(check, 250); // the previous entrant is still being decided
        return;
      }
      this.pendingQr = undefined;
      this.start('qr_face', pending.qr);
    };
    this.qrGraceTimer = setTimeout(check, this.d.config.timeouts.qrCardGraceMs);
  }

  /** The operator typed the CAN printed on the card. */
  canEntered(can: string): void {
    if (!/^\d{6}$/.test(can)) return;
    this.pendingCan = { can, at: Date.now() };
    this.supplyKey(can);
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
    // Tracked in `idle`, so close() waits for a manual open in progress like for any cycle.
    if (c.type === 'open_gate' && (c.laneId === undefined || c.laneId === this.id) && !this.busy() && !this.closed) this.idle = this.operatorOpen(c.issuedBy, c.reason);
  }

  private release(card: CardHandle | undefined): void {
    if (card) this.released = Promise.all([this.released, card.close().catch(() => undefined)]);
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

  // ── the cycle ─────────────────────────────────────────────────────────────────────────────────

  private busy(): boolean {
    return this.cycle !== undefined && this.phase !== 'open' && this.phase !== 'denied';
  }

  private start(method: NonNullable<Decision['method']>, qr?: CccdQr): void {
    if (this.closed) return;
    clearTimeout(this.resultTimer);
    const cycle: Cycle = { decisionId: newEventId(), ctl: new AbortController(), started: performance.now(), steps: {}, facts: { method }, ...(qr ? { qr } : {}) };
    this.cycle = cycle;
    this.idle = this.run(cycle).catch((e: Error) => this.finish(cycle, { outcome: 'deny', reasons: ['lane_error'] }, e.message));
  }

  private async run(c: Cycle): Promise<void> {
    const { facts } = c;
    // The live face is captured while the chip is read: the two slowest steps overlap.
    const face = this.captureFace(c);
    try {
      if (facts.method === 'chip_face') await this.readChip(c);
      else if (facts.method === 'qr_face') {
        this.checkId(c, c.qr!.idNumber);
        if (this.d.vneid) await this.verifyVneid(c, this.d.vneid);
      }
    } catch (e) {
      facts.failure = e instanceof StepFailure ? e.reason : 'chip_error';
      c.ctl.abort(new StepFailure(facts.failure));
      await face.catch(() => undefined);
      return this.conclude(c);
    }
    if (facts.method !== 'count_only' || this.d.face) {
      this.setPhase(c, 'capturing_face');
      facts.face = await face;
      if (typeof facts.face !== 'string') c.live = facts.face;
    }
    this.setPhase(c, 'verifying');
    try {
      await runStep('match_timeout', this.d.config.timeouts.matchMs, c.ctl.signal, () => this.match(c));
    } catch (e) {
      facts.failure = e instanceof StepFailure ? e.reason : 'match_error';
    }
    if (this.sameFaceAgain(c)) {
      // Still the person just admitted, standing in view: nothing new to decide or count.
      this.cycle = undefined;
      this.phase = 'idle';
      this.idleSince = Date.now();
      return;
    }
    if (facts.method === 'allowlist_face' && !facts.failure && facts.watch?.listKind !== 'watchlist' && !c.personKey) {
      // Not enrolled and no card: nothing to decide, the visitor presents a CCCD.
      this.cycle = undefined;
      this.phase = 'idle';
      this.idleSince = Date.now();
      this.publish({ reasons: ['not_enrolled_present_card'] });
      return;
    }
    return this.conclude(c);
  }

  private sameFaceAgain(c: Cycle): boolean {
    if (c.facts.method !== 'allowlist_face' && c.facts.method !== 'count_only') return false;
    const last = this.lastFaceOnly;
    if (!c.live || !last || Date.now() - last.at > REPEAT_FACE_MS) return false;
    if (this.d.matcher.similarity(last.embedding, c.live.embedding) < this.d.matcher.threshold) return false;
    // Seen again: the window runs from the last sighting, so someone standing in view stays one decision.
    last.at = Date.now();
    return true;
  }

  private async captureFace(c: Cycle): Promise<LiveFace | CaptureFailure> {
    if (!this.d.face) return 'camera_unavailable';
    const t0 = performance.now();
    try {
      const { window, options } = captureOptions(this.d.config.policy, this.d.config.timeouts.faceWindowMs, (step) => this.publishCycle(c, [`challenge_prompt_${step}`]));
      const r = await runStep('no_face', window + 1000, c.ctl.signal, (s) => this.d.face!.capture(window, s, options));
      if (typeof r !== 'string') c.steps.liveness = Math.round(r.livenessMs * 10) / 10;
      return r;
    } catch (e) {
      return e instanceof StepFailure && e.reason === 'no_face' ? 'no_face' : 'camera_unavailable';
    } finally {
      c.steps.faceCapture = ms(t0);
    }
  }

  private async readChip(c: Cycle): Promise<void> {
    this.setPhase(c, 'reading_card');
    const can = await this.accessKey(c);
    const card = this.card;
    if (!card) throw new StepFailure('card_removed');
    const t = this.d.config.timeouts;
    let result: CccdReadResult;
    try {
      result = await runStep('chip_timeout', t.chipReadMs, c.ctl.signal, () => card.read({ can }));
    } catch (e) {
      if (e instanceof StepFailure) throw e;
      // A card pulled mid-APDU often shows first as a garbled answer; the reader reports the removal
      // a moment later (pcscd polls). Name the cause the operator can act on.
      if (await this.removedWithin(card, REMOVAL_GRACE_MS)) throw new StepFailure('card_removed', (e as Error).message);
      if (e instanceof CccdError) throw new StepFailure(CHIP_FAILURES[e.code] ?? 'chip_error', e.message);
      throw new StepFailure('chip_error', (e as Error).message);
    }
    // Data cut short by a pulled card fails the hash checks: that is a removal, not a forgery.
    if (!result.genuine && (await this.removedWithin(card, REMOVAL_GRACE_MS))) throw new StepFailure('card_removed', 'card left the reader during the read');
    c.chip = result;
    for (const s of result.steps) {
      const key: keyof DecisionSteps | undefined = s.step === 'access' ? 'chipAccess' : s.step.startsWith('read ') ? 'dgRead' : /authentication/.test(s.step) ? 'passiveAuth' : undefined;
      if (key) c.steps[key] = Math.round(((c.steps[key] ?? 0) + s.ms) * 10) / 10;
    }
    c.facts.chipGenuine = result.genuine;
    if (result.face) {
      c.chipJpeg = result.face.bytes;
      c.reference = this.d.matcher.embedReference(result.face.bytes);
      c.reference.catch(() => undefined);
    }
    this.pendingQr = undefined;
    this.pendingCan = undefined;
    const id = result.personal.idNumber ?? result.mrz.personalNumber;
    if (id) this.checkId(c, id);
    this.publishCycle(c);
  }

  private async removedWithin(card: CardHandle, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (this.card === card && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return this.card !== card;
  }

  /** The CAN: from a QR/typed CAN already given, or waited for while the card sits on the reader. */
  private async accessKey(c: Cycle): Promise<string> {
    const fresh = (at: number) => Date.now() - at <= this.d.config.timeouts.pendingKeyMs;
    if (this.pendingQr && fresh(this.pendingQr.at)) return accessFromQr(this.pendingQr.qr).can;
    if (this.pendingCan && fresh(this.pendingCan.at)) return this.pendingCan.can;
    this.publish({ phase: 'reading_card', decisionId: c.decisionId, reasons: ['waiting_for_access_key'] });
    const can = await runStep('no_access_key', this.d.config.timeouts.accessKeyMs, c.ctl.signal, () => new Promise<string | undefined>((resolve) => (this.keyWait = resolve))).finally(() => (this.keyWait = undefined));
    if (!can) throw new StepFailure('no_access_key');
    return can;
  }

  private supplyKey(can: string): void {
    if (this.keyWait) this.keyWait(can);
  }

  /** The VNeID QR confirmed online; a verified portrait becomes the 1:1 reference, like a chip photo. Never throws. */
  private async verifyVneid(c: Cycle, v: NonNullable<LaneDeps['vneid']>): Promise<void> {
    this.setPhase(c, 'verifying');
    const t0 = performance.now();
    try {
      const r = await runStep('vneid_timeout', v.timeoutMs + 500, c.ctl.signal, (s) => v.verifier.verify(c.qr!, s));
      if (r.status === 'verified' && r.idNumber === c.qr!.idNumber) {
        c.facts.vneid = r.photo ? 'verified' : 'no_photo';
        if (r.photo) {
          c.chipJpeg = r.photo;
          c.reference = this.d.matcher.embedReference(r.photo);
          c.reference.catch(() => undefined);
        }
      } else c.facts.vneid = r.status === 'verified' ? 'refused' : r.status;
    } catch {
      c.facts.vneid = 'unavailable';
    } finally {
      c.steps.vneidCheck = ms(t0);
    }
  }

  private checkId(c: Cycle, idNumber: string): void {
    const t0 = performance.now();
    const hmac = this.d.hmacId(idNumber);
    c.personKey = `id:${hmac}`;
    const hit = this.d.watchlist.matchIdNumber(hmac);
    if (hit) this.noteHit(c, hit, 'id_number');
    c.steps.watchlist = (c.steps.watchlist ?? 0) + ms(t0);
  }

  private noteHit(c: Cycle, hit: ListHit, by: 'id_number' | 'face'): void {
    if (c.facts.watch?.listKind === 'watchlist') return; // a watchlist hit outranks an allowlist one
    c.facts.watch = { ...hit };
    c.watchBy = by;
    if (hit.listKind === 'allowlist' && c.facts.method === 'allowlist_face') c.personKey = `allow:${hit.entryId}`;
  }

  private async match(c: Cycle): Promise<void> {
    const live = c.live;
    const photoRef = c.facts.method === 'chip_face' || (c.facts.method === 'qr_face' && c.facts.vneid === 'verified');
    if (photoRef && c.chipJpeg && live) {
      const t0 = performance.now();
      const ref = await (c.reference ?? this.d.matcher.embedReference(c.chipJpeg));
      if (ref) c.facts.similarity = this.d.matcher.similarity(ref, live.embedding);
      else c.facts.referenceMissing = true;
      c.steps.faceMatch = ms(t0);
    } else if (c.facts.method === 'chip_face' && !c.chipJpeg) c.facts.referenceMissing = true;
    if (live) {
      const t0 = performance.now();
      const hit = this.d.watchlist.matchFace(live.embedding);
      if (hit) this.noteHit(c, hit, 'face');
      if (hit?.listKind !== 'watchlist') {
        const near = this.d.watchlist.nearWatchlist?.(live.embedding);
        if (near) c.facts.watchNear = near;
      }
      c.steps.watchlist = (c.steps.watchlist ?? 0) + ms(t0);
    }
    if (this.d.watchlist.ready?.() === false) c.facts.listsUnsynced = true;
    if (this.d.antiPassbackZone && this.d.config.direction === 'entry' && c.personKey) c.facts.alreadyInside = this.d.antiPassback.isInside(this.d.zoneId, c.personKey);
  }

  private async conclude(c: Cycle): Promise<void> {
    const verdict = decide(c.facts, this.d.config.policy, {
      match: this.d.matcher.threshold,
      liveness: this.d.matcher.livenessThreshold,
      ...(this.d.matcher.reviewThreshold !== undefined ? { review: this.d.matcher.reviewThreshold } : {}),
    });
    if (verdict.outcome !== 'review') return this.finish(c, verdict);
    return this.finish(c, await this.awaitReview(c, verdict));
  }

  private async awaitReview(c: Cycle, verdict: Verdict): Promise<Verdict & { review?: Decision['review'] }> {
    const t0 = performance.now();
    c.verdict = verdict;
    c.reviewDeadline = Date.now() + this.d.config.timeouts.reviewMs;
    this.setPhase(c, 'awaiting_review');
    try {
      const cmd = await runStep('review_timeout', this.d.config.timeouts.reviewMs, c.ctl.signal, () => new Promise<Extract<GateCommand, { type: 'review_decision' }>>((resolve) => (c.review = resolve)));
      const review = { verdict: cmd.verdict, by: cmd.issuedBy, reason: cmd.reason, commandId: cmd.commandId };
      return cmd.verdict === 'approve'
        ? { outcome: 'open', reasons: [...verdict.reasons, 'operator_approved'], review }
        : { outcome: 'deny', reasons: [...verdict.reasons, 'operator_denied'], review };
    } catch (e) {
      return { outcome: 'deny', reasons: [...verdict.reasons, e instanceof StepFailure ? e.reason : 'review_error'] };
    } finally {
      c.steps.review = ms(t0);
      c.review = undefined;
    }
  }

  private async finish(c: Cycle, v: Verdict & { review?: Decision['review'] }, error?: string): Promise<void> {
    let outcome = v.outcome === 'open' ? 'open' : 'deny';
    const reasons = [...v.reasons, ...(error ? [`error:${error.slice(0, 50)}`] : [])].slice(0, 16);
    if (outcome === 'open' && this.d.actuator) {
      const t0 = performance.now();
      try {
        await runStep('actuator_timeout', this.d.config.timeouts.actuatorMs, new AbortController().signal, () => this.d.actuator!.open());
      } catch (e) {
        outcome = 'deny';
        reasons.push(e instanceof StepFailure ? e.reason : 'actuator_fault');
      }
      c.steps.actuator = ms(t0);
    }
    c.steps.total = ms(c.started);
    // A watchlisted face is refused (and alerted) once, not once per look while it stays in view.
    const remember = outcome === 'open' || c.facts.watch?.listKind === 'watchlist';
    if (remember && c.live && (c.facts.method === 'allowlist_face' || c.facts.method === 'count_only')) this.lastFaceOnly = { embedding: c.live.embedding, at: Date.now() };
    if (outcome === 'open' && c.personKey && this.d.antiPassbackZone) {
      if (this.d.config.direction === 'entry') this.d.antiPassback.entered(this.d.zoneId, c.personKey);
      else this.d.antiPassback.exited(this.d.zoneId, c.personKey);
    }
    const identity = this.identity(c);
    const watchBy = c.watchBy;
    const decision: Decision = {
      decisionId: c.decisionId,
      outcome: outcome as Decision['outcome'],
      reasons,
      policy: this.d.policy,
      method: v.review ? 'operator' : c.facts.method,
      ...(c.facts.watch && watchBy ? { watchlist: { ...c.facts.watch, by: watchBy } } : {}),
      ...(v.review ? { review: v.review } : {}),
      steps: c.steps,
      ...(this.d.sink.online() ? {} : { offline: true }),
    };
    this.emit(c.facts.method === 'chip_face' || c.facts.method === 'qr_face' ? 'card' : c.facts.method === 'count_only' ? 'camera' : 'face', decision, identity, c.decisionId);
    c.verdict = { outcome: decision.outcome, reasons };
    this.setPhase(c, outcome === 'open' ? 'open' : 'denied');
    this.release(this.card);
    this.card = undefined;
    this.returnToIdleAfterResult(c);
  }

  /** Shows the result for `resultMs`, then back to idle unless a new cycle has started meanwhile. */
  private returnToIdleAfterResult(c: Cycle): void {
    this.resultTimer = setTimeout(() => {
      if (this.cycle !== c) return;
      this.cycle = undefined;
      this.phase = 'idle';
      this.idleSince = Date.now();
      this.publish({});
    }, this.d.config.timeouts.resultMs);
  }

  /**
   * Operator opens the lane by hand (assistance, an anti-passback override). Whoever walks through is
   * not known to the lane: the decision carries the operator and the reason, no identity, and it
   * changes no one's anti-passback state (the last entrant may not be the one let through).
   */
  private async operatorOpen(by: string, reason: string): Promise<void> {
    const c: Cycle = { decisionId: newEventId(), ctl: new AbortController(), started: performance.now(), steps: {}, facts: { method: 'operator' } };
    clearTimeout(this.resultTimer);
    this.cycle = c;
    const t0 = performance.now();
    let outcome: Decision['outcome'] = 'open';
    const reasons = ['operator_open'];
    try {
      if (this.d.actuator) await runStep('actuator_timeout', this.d.config.timeouts.actuatorMs, c.ctl.signal, () => this.d.actuator!.open());
    } catch (e) {
      outcome = 'deny';
      reasons.push(e instanceof StepFailure ? e.reason : 'actuator_fault');
    }
    c.steps.actuator = ms(t0);
    const decision: Decision = {
      decisionId: c.decisionId,
      outcome,
      reasons,
      policy: this.d.policy,
      method: 'operator',
      override: { by, reason },
      steps: c.steps,
      ...(this.d.sink.online() ? {} : { offline: true }),
    };
    this.emit('manual', decision, undefined, c.decisionId);
    c.verdict = { outcome, reasons };
    this.setPhase(c, outcome === 'open' ? 'open' : 'denied');
    this.returnToIdleAfterResult(c);
  }

  private identity(c: Cycle): Identity | undefined {
    const p = c.chip?.personal;
    const idNumber = p?.idNumber ?? c.qr?.idNumber;
    const id: Identity = {
      ...(idNumber ? { idNumber } : {}),
      ...((p?.fullName ?? c.qr?.fullName) ? { fullName: (p?.fullName ?? c.qr?.fullName)! } : {}),
      ...((isoDate(p?.dateOfBirth) ?? c.qr?.dateOfBirth) ? { dateOfBirth: (isoDate(p?.dateOfBirth) ?? c.qr?.dateOfBirth)! } : {}),
      ...(c.live ? { faceTemplate: Buffer.from(c.live.embedding.buffer, c.live.embedding.byteOffset, c.live.embedding.byteLength).toString('base64') } : {}),
      ...(c.live && this.d.matcher.model ? { faceModel: this.d.matcher.model } : {}),
      ...(c.facts.similarity !== undefined ? { matchScore: Math.max(-1, Math.min(1, c.facts.similarity)) } : {}),
      ...(c.live?.liveness !== undefined ? { livenessScore: c.live.liveness } : {}),
      ...(c.chip ? { documentVerified: c.chip.passiveAuth.genuine } : {}),
    };
    return Object.keys(id).length ? id : undefined;
  }

  private emit(source: 'card' | 'face' | 'camera' | 'manual', decision: Decision, identity: Identity | undefined, eventId: string): void {
    this.d.sink.decision({
      eventId,
      siteId: this.d.siteId,
      zoneId: this.d.zoneId,
      gateId: this.d.gateId,
      laneId: this.id,
      direction: this.d.config.direction,
      source,
      occurredAt: new Date().toISOString(),
      ...(identity ? { identity } : {}),
      decision,
    });
  }

  // ── console view ──────────────────────────────────────────────────────────────────────────────

  private setPhase(c: Cycle, phase: LanePhase): void {
    if (this.cycle !== c) return;
    this.phase = phase;
    this.publishCycle(c);
  }

  private publishCycle(c: Cycle, notes: string[] = []): void {
    const p = c.chip?.personal;
    const watchBy = c.watchBy;
    const reasons = [...(c.verdict?.reasons ?? []), ...notes];
    this.publish({
      decisionId: c.decisionId,
      ...(c.verdict ? { outcome: c.verdict.outcome } : {}),
      ...(reasons.length ? { reasons: reasons.slice(0, 16) } : {}),
      ...(c.live?.cropJpeg ? { faceJpeg: Buffer.from(c.live.cropJpeg).toString('base64') } : {}),
      ...(c.chipJpeg ? { chipJpeg: c.chipThumb } : {}),
      ...(c.facts.similarity !== undefined ? { matchScore: Math.max(-1, Math.min(1, c.facts.similarity)), matchThreshold: this.d.matcher.threshold } : {}),
      ...(c.live?.liveness !== undefined ? { liveness: c.live.liveness } : {}),
      ...(p || c.qr
        ? {
            card: {
              ...((p?.idNumber ?? c.qr?.idNumber) ? { idNumber: (p?.idNumber ?? c.qr?.idNumber)! } : {}),
              ...((p?.fullName ?? c.qr?.fullName) ? { fullName: (p?.fullName ?? c.qr?.fullName)! } : {}),
              ...((isoDate(p?.dateOfBirth) ?? c.qr?.dateOfBirth) ? { dateOfBirth: (isoDate(p?.dateOfBirth) ?? c.qr?.dateOfBirth)! } : {}),
              ...(c.qr?.sex ? { sex: c.qr.sex } : {}),
              ...(c.qr?.dateOfIssue ? { issueDate: c.qr.dateOfIssue } : {}),
              source: p ? 'chip' : 'qr',
              ...(c.chip ? { genuine: c.chip.genuine } : {}),
            },
          }
        : {}),
      ...(c.facts.watch && watchBy ? { watchlist: { ...c.facts.watch, by: watchBy } } : {}),
      ...(c.reviewDeadline && this.phase === 'awaiting_review' ? { reviewDeadline: new Date(c.reviewDeadline).toISOString() } : {}),
    });
    // The chip thumbnail is made once, off the decision path, and shown on the next update.
    if (c.chipJpeg && !c.chipThumb && this.d.matcher.thumbnail) {
      c.chipThumb = '';
      void this.d.matcher.thumbnail(c.chipJpeg).then(
        (t) => {
          if (!t) return;
          c.chipThumb = Buffer.from(t).toString('base64');
          if (this.cycle === c) this.publishCycle(c);
        },
        () => undefined,
      );
    }
  }

  private publish(extra: Partial<LaneState>): void {
    this.d.sink.state({
      siteId: this.d.siteId,
      gateId: this.d.gateId,
      laneId: this.id,
      phase: this.phase,
      at: new Date().toISOString(),
      ...(this.d.sink.online() ? {} : { offline: true }),
      ...extra,
    } as LaneState);
  }
}
