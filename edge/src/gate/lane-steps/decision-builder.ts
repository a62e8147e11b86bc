import type { Decision, GateEvent, Identity } from '../../../../libs/contracts/src/index.js';
import type { SitePolicy } from '../lane-config.schema.js';
import { claimedPerson, type Cycle, type Settlement } from './cycle.js';

export interface LanePlace {
  siteId: string;
  zoneId: string;
  gateId: string;
  laneId: string;
  direction: 'entry' | 'exit';
  policy: SitePolicy;
}

/** The gate event of a finished cycle: the decision with its reasons and timings, and what is known of the entrant. */
export class DecisionBuilder {
  constructor(
    private readonly place: LanePlace,
    /** Manifest id of the face embedder (sent with a live template). */
    private readonly faceModel: string | undefined,
  ) {}

  event(c: Cycle, v: Settlement, offline: boolean): GateEvent & { decision: Decision } {
    const { facts } = c;
    const decision: Decision = {
      decisionId: c.decisionId,
      outcome: v.outcome as Decision['outcome'],
      reasons: v.reasons,
      policy: this.place.policy,
      method: v.review ? 'operator' : facts.method,
      ...(facts.watch && c.watchBy ? { watchlist: { ...facts.watch, by: c.watchBy } } : {}),
      ...(v.review ? { review: v.review } : {}),
      ...(c.override ? { override: c.override } : {}),
      steps: c.steps,
      ...(offline ? { offline: true } : {}),
    };
    const identity = this.identity(c);
    return {
      eventId: c.decisionId,
      siteId: this.place.siteId,
      zoneId: this.place.zoneId,
      gateId: this.place.gateId,
      laneId: this.place.laneId,
      direction: this.place.direction,
      source: sourceOf(c),
      occurredAt: new Date().toISOString(),
      ...(identity ? { identity } : {}),
      decision,
    };
  }

  private identity(c: Cycle): Identity | undefined {
    const id: Identity = {
      ...claimedPerson(c),
      ...(c.live
        ? {
            faceTemplate: Buffer.from(c.live.embedding.buffer, c.live.embedding.byteOffset, c.live.embedding.byteLength).toString('base64'),
          }
        : {}),
      ...(c.live && this.faceModel ? { faceModel: this.faceModel } : {}),
      ...(c.facts.similarity !== undefined ? { matchScore: Math.max(-1, Math.min(1, c.facts.similarity)) } : {}),
      ...(c.live?.liveness !== undefined ? { livenessScore: c.live.liveness } : {}),
      ...(c.chip ? { documentVerified: c.chip.passiveAuth.genuine } : {}),
    };
    return Object.keys(id).length ? id : undefined;
  }
}

function sourceOf(c: Cycle): GateEvent['source'] {
  if (c.override) return 'manual';
  const m = c.facts.method;
  return m === 'chip_face' || m === 'qr_face' ? 'card' : m === 'count_only' ? 'camera' : 'face';
}
