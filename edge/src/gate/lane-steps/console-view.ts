import type { LanePhase, LaneState } from '../../../../libs/contracts/src/index.js';
import type { FaceMatcher, LaneSink } from '../lane-ports.js';
import { claimedPerson, type Cycle } from './cycle.js';

/** What the operator console shows of a lane: its phase and, during a cycle, the entrant as far as known. */
export class ConsoleView {
  constructor(
    private readonly where: { siteId: string; gateId: string; laneId: string },
    private readonly sink: LaneSink,
    private readonly matcher: FaceMatcher,
    /** The lane's phase and cycle now (the chip thumbnail is shown on a later update, if still current). */
    private readonly now: () => { phase: LanePhase; cycle: Cycle | undefined },
  ) {}

  show(extra: Partial<LaneState>): void {
    this.sink.state({
      siteId: this.where.siteId,
      gateId: this.where.gateId,
      laneId: this.where.laneId,
      phase: this.now().phase,
      at: new Date().toISOString(),
      ...(this.sink.online() ? {} : { offline: true }),
      ...extra,
    } as LaneState);
  }

  showCycle(c: Cycle, notes: string[] = []): void {
    const { phase } = this.now();
    const reasons = [...(c.verdict?.reasons ?? []), ...notes];
    const person = claimedPerson(c);
    this.show({
      decisionId: c.decisionId,
      ...(c.verdict ? { outcome: c.verdict.outcome } : {}),
      ...(reasons.length ? { reasons: reasons.slice(0, 16) } : {}),
      ...(c.live?.cropJpeg ? { faceJpeg: Buffer.from(c.live.cropJpeg).toString('base64') } : {}),
      ...(c.chipJpeg ? { chipJpeg: c.chipThumb } : {}),
      ...(c.facts.similarity !== undefined
        ? { matchScore: Math.max(-1, Math.min(1, c.facts.similarity)), matchThreshold: this.matcher.threshold }
        : {}),
      ...(c.live?.liveness !== undefined ? { liveness: c.live.liveness } : {}),
      ...(c.chip?.personal || c.qr
        ? {
            card: {
              ...person,
              ...(c.qr?.sex ? { sex: c.qr.sex } : {}),
              ...(c.qr?.dateOfIssue ? { issueDate: c.qr.dateOfIssue } : {}),
              source: c.chip?.personal ? 'chip' : 'qr',
              ...(c.chip ? { genuine: c.chip.genuine } : {}),
            },
          }
        : {}),
      ...(c.facts.watch && c.watchBy ? { watchlist: { ...c.facts.watch, by: c.watchBy } } : {}),
      ...(c.reviewDeadline && phase === 'awaiting_review' ? { reviewDeadline: new Date(c.reviewDeadline).toISOString() } : {}),
    });
    // The chip thumbnail is made once, off the decision path, and shown on the next update.
    if (c.chipJpeg && !c.chipThumb && this.matcher.thumbnail) {
      c.chipThumb = '';
      void this.matcher.thumbnail(c.chipJpeg).then(
        (t) => {
          if (!t) return;
          c.chipThumb = Buffer.from(t).toString('base64');
          if (this.now().cycle === c) this.showCycle(c);
        },
        () => undefined,
      );
    }
  }
}
