import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { CccdError, type CccdReadResult } from '../../../libs/cccd/src/index.js';
import { GateEventSchema, LaneStateSchema, type GateEvent, type LaneState } from '../../../libs/contracts/src/index.js';
import { AntiPassback } from './anti-passback.js';
import { decide } from './decide.js';
import { Lane, type LaneDeps } from './lane.js';
import { LaneConfigSchema, LanePolicySchema, type LaneConfigInput, type SitePolicy } from './lane-config.schema.js';
import type { CaptureOptions, CardHandle, FaceCapturer, ListHit, LiveFace } from './lane-ports.js';
import type { VneidVerifier } from './vneid/vneid-verifier.js';

const vec = (x: number) => Float32Array.from([x, Math.sqrt(1 - x * x)]);
const REF = Float32Array.from([1, 0]);
const ID = '079203012345';

function chipResult(genuine = true): CccdReadResult {
  return {
    genuine,
    personal: { idNumber: ID, fullName: 'Nguyễn Thị Thanh Hương', dateOfBirth: '15/08/2003' },
    mrz: { personalNumber: ID },
    face: { bytes: new Uint8Array([1, 2, 3]) },
    passiveAuth: { genuine },
    steps: [
      { step: 'access', ms: 100, apdus: 1, bytesSent: 0, bytesReceived: 0 },
      { step: 'read DG2', ms: 50, apdus: 1, bytesSent: 0, bytesReceived: 0 },
      { step: 'passive authentication', ms: 5, apdus: 0, bytesSent: 0, bytesReceived: 0 },
    ],
  } as unknown as CccdReadResult;
}

class FakeCard implements CardHandle {
  closed = false;
  constructor(private readonly behaviour: (key: { can: string }) => Promise<CccdReadResult>) {}
  read(key: { can: string }) {
    return this.behaviour(key);
  }
  async close() {
    this.closed = true;
  }
}

function harness(
  opts: {
    policy?: SitePolicy;
    lane?: Partial<LaneConfigInput>;
    face?: LiveFace | 'no_face' | 'camera_unavailable' | 'hang';
    watch?: { id?: ListHit; face?: ListHit; ready?: () => boolean };
    antiPassback?: AntiPassback;
    online?: boolean;
  } = {},
) {
  const events: GateEvent[] = [];
  const states: LaneState[] = [];
  const pulses: number[] = [];
  const face: FaceCapturer = {
    capture: (_ms, signal) =>
      opts.face === 'hang'
        ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))
        : Promise.resolve(opts.face ?? { embedding: vec(0.99), liveness: 0.9, qualityOk: true, livenessMs: 3 }),
  };
  const deps: LaneDeps = {
    siteId: 's1',
    zoneId: 'z1',
    gateId: 'g1',
    // The fake camera's face carries no blink challenge: these lanes use the passive check unless a test says otherwise.
    config: LaneConfigSchema.parse({
      id: 'l1',
      reader: 'Virtual',
      timeouts: { resultMs: 100, reviewMs: 1000, accessKeyMs: 500 },
      ...opts.lane,
      policy: { livenessCheck: 'passive', ...opts.lane?.policy },
    }),
    policy: opts.policy ?? 'station',
    antiPassbackZone: true,
    antiPassback: opts.antiPassback ?? new AntiPassback(3600_000),
    face,
    matcher: {
      threshold: 0.93,
      livenessThreshold: 0.35,
      embedReference: async () => REF,
      similarity: (a, b) => a[0]! * b[0]! + a[1]! * b[1]!,
    },
    watchlist: {
      matchIdNumber: () => opts.watch?.id,
      matchFace: () => opts.watch?.face,
      ...(opts.watch?.ready ? { ready: opts.watch.ready } : {}),
    },
    actuator: { open: async () => void pulses.push(Date.now()) },
    hmacId: (id) => createHmac('sha256', 'k').update(id).digest('hex'),
    sink: {
      decision: (e) => events.push(GateEventSchema.parse(e)),
      state: (s) => states.push(LaneStateSchema.parse(s)),
      online: () => opts.online ?? true,
    },
  };
  return { lane: new Lane(deps), events, states, pulses };
}

const qr = `${ID}||Nguyễn Thị Thanh Hương|15082003|Nữ|12 Lê Lợi, Q1, TP HCM|10052021`;

test('matching chip photo and live face → OPEN, one pulse, event with identity, timings and steps', async () => {
  const h = harness();
  h.lane.qrScanned(qr);
  const card = new FakeCard(async (key) => {
    assert.deepEqual(key, { can: '012345' }, 'CAN taken from the scanned QR');
    return chipResult();
  });
  h.lane.cardInserted(card);
  await h.lane.idle;
  assert.equal(h.events.length, 1);
  const e = h.events[0]!;
  assert.equal(e.decision?.outcome, 'open');
  assert.equal(e.decision?.method, 'chip_face');
  assert.equal(e.source, 'card');
  assert.equal(e.identity?.idNumber, ID);
  assert.equal(e.identity?.dateOfBirth, '2003-08-15');
  assert.equal(e.identity?.documentVerified, true);
  assert.ok(
    e.decision?.steps?.chipAccess !== undefined && e.decision.steps.dgRead !== undefined && e.decision.steps.passiveAuth !== undefined,
  );
  assert.equal(h.pulses.length, 1);
  assert.ok(card.closed, 'card released after the decision');
  assert.deepEqual([...new Set(h.states.map((s) => s.phase))].slice(0, 2), ['reading_card', 'capturing_face']);
  assert.equal(h.states.at(-1)?.phase, 'open');
});

test('a different person → DENY face_mismatch; just below the threshold → REVIEW, approved by the operator → OPEN', async () => {
  const far = harness({ face: { embedding: vec(0.5), liveness: 0.9, qualityOk: true, livenessMs: 1 } });
  far.lane.canEntered('012345');
  far.lane.cardInserted(new FakeCard(async () => chipResult()));
  await far.lane.idle;
  assert.deepEqual(far.events[0]?.decision?.reasons, ['face_mismatch']);
  assert.equal(far.pulses.length, 0);

  const near = harness({ face: { embedding: vec(0.92), liveness: 0.9, qualityOk: true, livenessMs: 1 } });
  near.lane.canEntered('012345');
  near.lane.cardInserted(new FakeCard(async () => chipResult()));
  const review = await waitState(near.states, (s) => s.phase === 'awaiting_review');
  assert.ok(review.reviewDeadline);
  near.lane.command({
    type: 'review_decision',
    commandId: crypto.randomUUID(),
    siteId: 's1',
    gateId: 'g1',
    laneId: 'l1',
    decisionId: 'wrong',
    verdict: 'approve',
    reason: 'x',
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 10_000).toISOString(),
    issuedBy: 'u',
  });
  near.lane.command({
    type: 'review_decision',
    commandId: crypto.randomUUID(),
    siteId: 's1',
    gateId: 'g1',
    laneId: 'l1',
    decisionId: review.decisionId!,
    verdict: 'approve',
    reason: 'giống ảnh',
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 10_000).toISOString(),
    issuedBy: 'op-lan',
  });
  await near.lane.idle;
  assert.equal(near.events.length, 1);
  assert.equal(near.events[0]!.decision?.outcome, 'open');
  assert.deepEqual(near.events[0]!.decision?.review, {
    verdict: 'approve',
    by: 'op-lan',
    reason: 'giống ảnh',
    commandId: near.events[0]!.decision?.review?.commandId,
  });
  assert.equal(near.pulses.length, 1);
});

test('REVIEW with no operator verdict in time → DENY review_timeout', async () => {
  const h = harness({
    face: { embedding: vec(0.92), liveness: 0.9, qualityOk: true, livenessMs: 1 },
    lane: { timeouts: { reviewMs: 1000, resultMs: 100 } },
  });
  h.lane.canEntered('012345');
  h.lane.cardInserted(new FakeCard(async () => chipResult()));
  await h.lane.idle;
  assert.deepEqual(h.events[0]?.decision?.reasons, ['face_uncertain', 'review_timeout']);
});

test('card pulled mid-read → DENY card_removed, lane back to idle, the face capture stops', async () => {
  const h = harness({ face: 'hang' });
  h.lane.canEntered('012345');
  h.lane.cardInserted(new FakeCard(() => new Promise(() => undefined)));
  await waitState(h.states, (s) => s.phase === 'reading_card');
  h.lane.cardRemoved();
  await h.lane.idle;
  assert.deepEqual(h.events[0]?.decision?.reasons, ['card_removed']);
  await waitState(h.states, (s) => s.phase === 'idle');
  assert.equal(h.lane.phase, 'idle');
});

test('chip errors become reasons: wrong CAN, card gone, passive authentication failure, no CAN in time', async () => {
  const cases: [() => Promise<CccdReadResult>, string][] = [
    [() => Promise.reject(new CccdError('ACCESS_DENIED', 'PACE refused')), 'access_denied'],
    [() => Promise.reject(new CccdError('NO_CARD', 'removed')), 'card_removed'],
    [() => Promise.reject(new Error('boom')), 'chip_error'],
    [async () => chipResult(false), 'passive_auth_failed'],
  ];
  for (const [read, reason] of cases) {
    const h = harness();
    h.lane.canEntered('012345');
    h.lane.cardInserted(new FakeCard(read));
    await h.lane.idle;
    assert.deepEqual(h.events[0]?.decision?.reasons, [reason]);
    assert.equal(h.pulses.length, 0);
  }
  const h = harness();
  h.lane.cardInserted(new FakeCard(async () => chipResult()));
  await h.lane.idle;
  assert.deepEqual(h.events[0]?.decision?.reasons, ['no_access_key']);

  // The card waits on the reader until the operator's console sends the CAN.
  const typed = harness();
  typed.lane.cardInserted(new FakeCard(async (key) => (assert.deepEqual(key, { can: '012345' }), chipResult())));
  await waitState(typed.states, (s) => s.reasons?.[0] === 'waiting_for_access_key');
  typed.lane.command({
    type: 'enter_can',
    commandId: crypto.randomUUID(),
    siteId: 's1',
    gateId: 'g1',
    laneId: 'l1',
    can: '012345',
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 10_000).toISOString(),
    issuedBy: 'op',
  });
  await typed.lane.idle;
  assert.equal(typed.events[0]?.decision?.outcome, 'open');
});

test('watchlist hit by ID number → DENY watchlist_hit even though the face matches', async () => {
  const h = harness({ watch: { id: { entryId: 'w1', listKind: 'watchlist', severity: 'high' } } });
  h.lane.canEntered('012345');
  h.lane.cardInserted(new FakeCard(async () => chipResult()));
  await h.lane.idle;
  assert.deepEqual(h.events[0]?.decision?.reasons, ['watchlist_hit']);
  assert.deepEqual(h.events[0]?.decision?.watchlist, { entryId: 'w1', listKind: 'watchlist', severity: 'high', by: 'id_number' });
});

test('anti-passback: second entry refused; operator override opens and is recorded; offline decisions are flagged', async () => {
  const apb = new AntiPassback(3600_000);
  const h = harness({ antiPassback: apb, online: false });
  for (let i = 0; i < 2; i++) {
    h.lane.canEntered('012345');
    h.lane.cardInserted(new FakeCard(async () => chipResult()));
    await h.lane.idle;
  }
  assert.deepEqual(
    h.events.map((e) => e.decision?.outcome),
    ['open', 'deny'],
  );
  assert.deepEqual(h.events[1]!.decision?.reasons, ['anti_passback']);
  assert.ok(h.events.every((e) => e.decision?.offline === true));
  await waitState(h.states, (s) => s.phase === 'idle' && h.states.indexOf(s) > h.states.findIndex((x) => x.phase === 'denied'));
  h.lane.command({
    type: 'open_gate',
    commandId: crypto.randomUUID(),
    siteId: 's1',
    gateId: 'g1',
    laneId: 'l1',
    reason: 'vé hợp lệ, quay lại lấy đồ',
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 10_000).toISOString(),
    issuedBy: 'op-lan',
  });
  await waitFor(() => h.events.length === 3);
  assert.equal(h.events[2]!.decision?.outcome, 'open');
  assert.equal(h.events[2]!.source, 'manual');
  assert.deepEqual(h.events[2]!.decision?.override, { by: 'op-lan', reason: 'vé hợp lệ, quay lại lấy đồ' });
  assert.equal(h.events[2]!.identity, undefined, 'a manual open carries no identity');

  const exitLane = new Lane({
    ...(h.lane as unknown as { d: LaneDeps }).d,
    config: LaneConfigSchema.parse({ id: 'l2', direction: 'exit', reader: 'x', policy: { livenessCheck: 'passive' } }),
  });
  exitLane.canEntered('012345');
  exitLane.cardInserted(new FakeCard(async () => chipResult()));
  await exitLane.idle;
  assert.equal(apb.isInside('z1', `id:${createHmac('sha256', 'k').update(ID).digest('hex')}`), false, 'an exit clears the entry');
  await exitLane.close();
});

test("a manual open is nobody's entry: no identity, and the last entrant's anti-passback state is left alone", async () => {
  const apb = new AntiPassback(3600_000);
  const key = `id:${createHmac('sha256', 'k').update(ID).digest('hex')}`;
  const entry = harness({ antiPassback: apb });
  entry.lane.canEntered('012345');
  entry.lane.cardInserted(new FakeCard(async () => chipResult()));
  await entry.lane.idle;
  assert.equal(entry.events[0]?.decision?.outcome, 'open');
  const exitLane = new Lane({
    ...(entry.lane as unknown as { d: LaneDeps }).d,
    config: LaneConfigSchema.parse({ id: 'l2', direction: 'exit', reader: 'x', policy: { livenessCheck: 'passive' } }),
    sink: { decision: () => undefined, state: () => undefined, online: () => true },
  });
  exitLane.canEntered('012345');
  exitLane.cardInserted(new FakeCard(async () => chipResult()));
  await exitLane.idle;
  assert.equal(apb.isInside('z1', key), false, 'the entrant has left');
  await waitState(entry.states, (s) => s.phase === 'idle');
  // Someone else is let in by hand on the entry lane: the previous card holder is not them.
  entry.lane.command({
    type: 'open_gate',
    commandId: crypto.randomUUID(),
    siteId: 's1',
    gateId: 'g1',
    laneId: 'l1',
    reason: 'khách đi xe lăn',
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 10_000).toISOString(),
    issuedBy: 'op-lan',
  });
  await waitFor(() => entry.events.length === 2);
  const manual = entry.events[1]!;
  assert.equal(manual.source, 'manual');
  assert.equal(manual.decision?.outcome, 'open');
  assert.equal(manual.decision?.method, 'operator');
  assert.equal(manual.identity, undefined, 'no identity on a manual open');
  assert.equal(apb.isInside('z1', key), false, 'the previous entrant is not marked inside again');
  // So that person enters normally next time instead of being refused by anti-passback.
  entry.lane.canEntered('012345');
  entry.lane.cardInserted(new FakeCard(async () => chipResult()));
  await waitFor(() => entry.events.length === 3);
  await entry.lane.idle;
  assert.equal(entry.events[2]?.decision?.outcome, 'open');
  await exitLane.close();
  await entry.lane.close();
});

test('industrial: enrolled worker opens by face 1:N alone; a face not enrolled makes no decision', async () => {
  const h = harness({ policy: 'industrial', watch: { face: { entryId: 'worker-7', listKind: 'allowlist', score: 0.97 } } });
  h.lane.faceSeen();
  await h.lane.idle;
  assert.equal(h.events[0]?.decision?.outcome, 'open');
  assert.equal(h.events[0]?.decision?.method, 'allowlist_face');
  assert.equal(h.events[0]?.source, 'face');
  // The same worker still standing in view is not admitted (or counted) again.
  h.lane['idleSince'] = 0;
  await new Promise((r) => setTimeout(r, 150));
  h.lane.faceSeen();
  await h.lane.idle;
  assert.equal(h.events.length, 1);
  const v = harness({ policy: 'industrial' });
  v.lane.faceSeen();
  await v.lane.idle;
  assert.equal(v.events.length, 0);
  assert.deepEqual(v.states.at(-1)?.reasons, ['not_enrolled_present_card']);
});

test('station: a VNeID QR goes to the operator; camera down goes to the operator; tourist lane without reader counts', async () => {
  const q = harness();
  q.lane.qrScanned(qr, 'vneid');
  await waitState(q.states, (s) => s.phase === 'awaiting_review' && s.reasons?.[0] === 'qr_needs_operator');
  const s = q.states.find((x) => x.phase === 'awaiting_review')!;
  q.lane.command({
    type: 'review_decision',
    commandId: crypto.randomUUID(),
    siteId: 's1',
    gateId: 'g1',
    laneId: 'l1',
    decisionId: s.decisionId!,
    verdict: 'deny',
    reason: 'không khớp',
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 10_000).toISOString(),
    issuedBy: 'op',
  });
  await q.lane.idle;
  assert.deepEqual(q.events[0]?.decision?.reasons, ['qr_needs_operator', 'operator_denied']);

  const cam = harness({ face: 'camera_unavailable', lane: { timeouts: { reviewMs: 1000, resultMs: 100 } } });
  cam.lane.canEntered('012345');
  cam.lane.cardInserted(new FakeCard(async () => chipResult()));
  await cam.lane.idle;
  assert.deepEqual(cam.events[0]?.decision?.reasons, ['camera_unavailable', 'review_timeout']);

  const t = harness({ policy: 'tourist', lane: { reader: undefined } });
  t.lane.faceSeen();
  await t.lane.idle;
  assert.equal(t.events[0]?.decision?.method, 'count_only');
  assert.equal(t.events[0]?.decision?.outcome, 'open');
});

test('decide(): rule order and liveness floor', () => {
  const policy = LanePolicySchema.parse({ livenessCheck: 'passive' });
  const th = { match: 0.9, liveness: 0.4 };
  const live = { embedding: REF, liveness: 0.2, qualityOk: true, livenessMs: 0 };
  assert.deepEqual(decide({ method: 'chip_face', face: live, similarity: 0.99 }, policy, th).reasons, ['liveness_failed']);
  assert.deepEqual(
    decide({ method: 'chip_face', face: { ...live, liveness: 0.9, qualityOk: false }, similarity: 0.99 }, policy, th).reasons,
    ['face_quality'],
  );
  assert.deepEqual(
    decide({ method: 'chip_face', failure: 'card_removed', watch: { entryId: 'w', listKind: 'watchlist' } }, policy, th).reasons,
    ['watchlist_hit'],
  );
  assert.equal(decide({ method: 'chip_face', face: 'no_face' }, policy, th).outcome, 'deny');
  assert.equal(decide({ method: 'chip_face', chipGenuine: false }, { ...policy, onPassiveAuthFail: 'review' }, th).outcome, 'review');
});

test('decide(): calibrated REVIEW band, possible watchlist match, challenge, blink and operator liveness checks', () => {
  assert.equal(
    LanePolicySchema.parse({}).livenessCheck,
    'challenge',
    'by default a lane runs the active challenge: the passive score is no proven screen, a blink can be replayed',
  );
  const policy = LanePolicySchema.parse({ livenessCheck: 'passive' });
  const th = { match: 0.5, liveness: 0.4, review: 0.31 };
  const live = { embedding: REF, liveness: 0.9, qualityOk: true, livenessMs: 0 };
  // The model's REVIEW floor replaces reviewMargin: 0.35 is far below 0.5 − 0.02 but inside the band.
  assert.deepEqual(decide({ method: 'chip_face', face: live, similarity: 0.35 }, policy, th), {
    outcome: 'review',
    reasons: ['face_uncertain'],
  });
  assert.deepEqual(decide({ method: 'chip_face', face: live, similarity: 0.3 }, policy, th), {
    outcome: 'deny',
    reasons: ['face_mismatch'],
  });
  assert.deepEqual(
    decide({ method: 'chip_face', face: live, similarity: 0.35 }, policy, { match: 0.5, liveness: 0.4 }).reasons,
    ['face_mismatch'],
    'no band given: reviewMargin',
  );
  const near = { entryId: 'w1', listKind: 'watchlist' as const, score: 0.45 };
  assert.deepEqual(decide({ method: 'chip_face', face: live, similarity: 0.8, watchNear: near }, policy, th), {
    outcome: 'review',
    reasons: ['watchlist_possible_match'],
  });
  assert.equal(decide({ method: 'count_only', watchNear: near }, policy, th).outcome, 'open', 'counting lanes keep the crowd moving');
  const blink = { ...policy, livenessCheck: 'blink' as const };
  assert.deepEqual(decide({ method: 'chip_face', face: { ...live, challenge: 'failed' }, similarity: 0.8 }, blink, th), {
    outcome: 'review',
    reasons: ['liveness_unverified'],
  });
  assert.deepEqual(decide({ method: 'chip_face', face: { ...live, challenge: 'passed' }, similarity: 0.8 }, blink, th), {
    outcome: 'open',
    reasons: [],
  });
  assert.deepEqual(
    decide({ method: 'chip_face', face: { ...live, challenge: 'failed' }, similarity: 0.1 }, blink, th).reasons,
    ['face_mismatch'],
    'a mismatch is still a DENY',
  );
  assert.deepEqual(
    decide(
      { method: 'allowlist_face', face: live, watch: { entryId: 'a', listKind: 'allowlist' } },
      { ...policy, livenessCheck: 'operator' },
      th,
    ),
    { outcome: 'review', reasons: ['liveness_operator_check'] },
  );
  // The active challenge: the operator sees the step that failed and how.
  const challenge = { ...policy, livenessCheck: 'challenge' as const };
  const failed = {
    ...live,
    challenge: 'failed' as const,
    challengeSteps: ['blink' as const, 'turn_left' as const],
    challengeFailure: { step: 'turn_left' as const, reason: 'wrong_order' as const },
  };
  assert.deepEqual(decide({ method: 'chip_face', face: failed, similarity: 0.8 }, challenge, th), {
    outcome: 'review',
    reasons: ['liveness_challenge_failed', 'challenge_step_turn_left', 'challenge_wrong_order'],
  });
  assert.deepEqual(
    decide({ method: 'chip_face', face: { ...live }, similarity: 0.8 }, challenge, th).reasons,
    ['liveness_challenge_failed'],
    'no challenge result is no pass',
  );
  assert.deepEqual(decide({ method: 'chip_face', face: { ...live, challenge: 'passed' }, similarity: 0.8 }, challenge, th), {
    outcome: 'open',
    reasons: [],
  });
  assert.deepEqual(
    decide({ method: 'chip_face', face: failed, similarity: 0.1 }, challenge, th).reasons,
    ['face_mismatch'],
    'a mismatch is still a DENY',
  );
  // The passive score is advisory under the challenge: a low one goes to the operator, not to DENY.
  assert.deepEqual(decide({ method: 'chip_face', face: { ...live, liveness: 0.1, challenge: 'passed' }, similarity: 0.8 }, challenge, th), {
    outcome: 'review',
    reasons: ['liveness_passive_low'],
  });
  assert.deepEqual(
    decide({ method: 'chip_face', face: { ...live, liveness: 0.1, challenge: 'passed' }, similarity: 0.8 }, policy, th).reasons,
    ['liveness_failed'],
    'passive lanes still deny on it',
  );
});

test('lists never synced from the hub: a card lane sends a passing entrant to the operator, a counting lane still opens', async () => {
  let synced = false;
  const h = harness({ watch: { ready: () => synced } });
  h.lane.canEntered('012345');
  h.lane.cardInserted(new FakeCard(async () => chipResult()));
  const s = await waitState(h.states, (x) => x.phase === 'awaiting_review');
  assert.deepEqual(s.reasons, ['watchlist_not_synced']);
  await h.lane.idle;
  assert.deepEqual(h.events[0]?.decision?.reasons, ['watchlist_not_synced', 'review_timeout']);
  assert.equal(h.pulses.length, 0);

  synced = true;
  await new Promise((r) => setTimeout(r, 150)); // result shown → idle
  h.lane.canEntered('012345');
  h.lane.cardInserted(new FakeCard(async () => chipResult()));
  await waitFor(() => h.events.length === 2);
  assert.equal(h.events[1]?.decision?.outcome, 'open', 'once synced the same entrant passes');

  const deny = harness({ watch: { ready: () => false }, lane: { policy: { onListsUnsynced: 'deny' } } });
  deny.lane.canEntered('012345');
  deny.lane.cardInserted(new FakeCard(async () => chipResult()));
  await deny.lane.idle;
  assert.deepEqual(deny.events[0]?.decision?.reasons, ['watchlist_not_synced']);
  assert.equal(deny.events[0]?.decision?.outcome, 'deny');

  const t = harness({ policy: 'tourist', lane: { reader: undefined }, watch: { ready: () => false } });
  t.lane.faceSeen();
  await t.lane.idle;
  assert.equal(t.events[0]?.decision?.outcome, 'open');
  assert.deepEqual(t.events[0]?.decision?.reasons, ['watchlist_not_synced']);

  const policy = LanePolicySchema.parse({});
  const live = { embedding: REF, liveness: 0.9, qualityOk: true, livenessMs: 0 };
  const th = { match: 0.9, liveness: 0.4 };
  assert.deepEqual(
    decide({ method: 'chip_face', face: live, similarity: 0.5, listsUnsynced: true }, policy, th).reasons,
    ['face_mismatch'],
    'a refusal stays a refusal',
  );
  assert.deepEqual(decide({ method: 'qr_face', face: live, listsUnsynced: true }, policy, th).reasons, [
    'qr_needs_operator',
    'watchlist_not_synced',
  ]);
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function waitState(states: LaneState[], pred: (s: LaneState) => boolean): Promise<LaneState> {
  await waitFor(() => states.some(pred));
  return states.find(pred)!;
}

// ── QR routing: the card's QR or a VNeID QR, told apart by the card on the reader ───────────────

test("auto QR with the card already on the reader (waiting for its CAN) → the card's QR: CAN used, chip read, no VNeID cycle", async () => {
  const h = harness({ lane: { timeouts: { accessKeyMs: 5000, resultMs: 100, qrCardGraceMs: 200 } } });
  h.lane.cardInserted(new FakeCard(async (key) => (assert.deepEqual(key, { can: '012345' }), chipResult())));
  await waitState(h.states, (s) => s.reasons?.[0] === 'waiting_for_access_key');
  assert.equal(h.lane.wantsQr, true, 'a card waiting for its CAN wants a QR');
  h.lane.qrScanned(qr, 'auto');
  await h.lane.idle;
  await new Promise((r) => setTimeout(r, 400)); // past the grace: nothing else may start
  assert.equal(h.events.length, 1);
  assert.equal(h.events[0]!.decision?.method, 'chip_face');
  assert.equal(h.events[0]!.decision?.outcome, 'open');
});

test("auto QR, card arriving within the grace → the card's QR; no card after the grace at a station lane → a VNeID qr_face cycle, REVIEW", async () => {
  const h = harness({ lane: { timeouts: { resultMs: 100, qrCardGraceMs: 300 } } });
  h.lane.qrScanned(qr, 'auto');
  await new Promise((r) => setTimeout(r, 150));
  h.lane.cardInserted(new FakeCard(async (key) => (assert.deepEqual(key, { can: '012345' }), chipResult())));
  await h.lane.idle;
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(
    h.events.map((e) => e.decision?.method),
    ['chip_face'],
  );

  const late = harness({ lane: { timeouts: { resultMs: 100, reviewMs: 1000, qrCardGraceMs: 200 } } });
  late.lane.qrScanned(qr, 'auto');
  assert.equal(late.states.length, 0, 'nothing decided during the grace');
  const review = await waitState(late.states, (s) => s.phase === 'awaiting_review');
  assert.deepEqual(review.reasons, ['qr_needs_operator']);
  assert.equal(review.card?.idNumber, ID);
  await late.lane.idle;
  assert.equal(late.events[0]!.decision?.method, 'qr_face');
  assert.deepEqual(late.events[0]!.decision?.reasons, ['qr_needs_operator', 'review_timeout']);
  assert.equal(late.pulses.length, 0, 'an unverified QR never opens by itself');
});

test('auto QR where VNeID is not accepted (industrial, or acceptVneidQr: false) stays a card QR waiting for its card', async () => {
  for (const opts of [
    { policy: 'industrial' as const },
    { lane: { policy: { acceptVneidQr: false }, timeouts: { resultMs: 100, qrCardGraceMs: 100 } } },
  ]) {
    const h = harness(opts);
    h.lane.qrScanned(qr, 'auto');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(h.states.length, 0, 'no cycle without a card');
    h.lane.cardInserted(new FakeCard(async (key) => (assert.deepEqual(key, { can: '012345' }), chipResult())));
    await h.lane.idle;
    assert.equal(h.events[0]!.decision?.method, 'chip_face');
  }
});

test('unreadable QR → lane state reason qr_unreadable; a cycle in progress keeps its decision id and goes on', async () => {
  const idle = harness();
  idle.lane.qrScanned('not a cccd qr', 'auto');
  assert.deepEqual(idle.states.at(-1)?.reasons, ['qr_unreadable']);
  assert.equal(idle.states.at(-1)?.phase, 'idle');

  const busy = harness({ lane: { timeouts: { accessKeyMs: 3000, resultMs: 100 } } });
  busy.lane.cardInserted(new FakeCard(async () => chipResult()));
  const waiting = await waitState(busy.states, (s) => s.reasons?.[0] === 'waiting_for_access_key');
  busy.lane.qrScanned('079203012345|garbage', 'auto');
  const note = busy.states.at(-1)!;
  assert.deepEqual(note.reasons, ['qr_unreadable']);
  assert.equal(note.decisionId, waiting.decisionId, 'the cycle is still shown');
  busy.lane.qrScanned(qr, 'auto'); // the good scan then completes it
  await busy.lane.idle;
  assert.equal(busy.events[0]!.decision?.outcome, 'open');
});

// ── VNeID online check ────────────────────────────────────────────────────────────────────────

test('VNeID verified online with a portrait → 1:1 like a chip photo: match → OPEN without an operator, mismatch → DENY', async () => {
  const verified: VneidVerifier = {
    verify: async (q) => ({
      status: 'verified',
      idNumber: q.idNumber,
      fullName: q.fullName,
      dateOfBirth: q.dateOfBirth,
      photo: new Uint8Array([9, 9]),
    }),
  };
  for (const [face, outcome, reasons] of [
    [vec(0.99), 'open', []],
    [vec(0.5), 'deny', ['face_mismatch']],
  ] as const) {
    const h = harness({ face: { embedding: face, liveness: 0.9, qualityOk: true, livenessMs: 1 } });
    const refs: Uint8Array[] = [];
    const d = (h.lane as unknown as { d: LaneDeps }).d;
    const lane = new Lane({
      ...d,
      vneid: { verifier: verified, timeoutMs: 1000 },
      matcher: { ...d.matcher, embedReference: async (p) => (refs.push(p), REF) },
    });
    lane.qrScanned(qr, 'vneid');
    await lane.idle;
    const e = h.events[0]!;
    assert.equal(e.decision?.method, 'qr_face');
    assert.equal(e.decision?.outcome, outcome);
    assert.deepEqual(e.decision?.reasons, reasons);
    assert.deepEqual(refs, [new Uint8Array([9, 9])], 'the verified portrait is the 1:1 reference');
    assert.equal(h.pulses.length, outcome === 'open' ? 1 : 0);
    assert.ok(h.states.some((s) => s.phase === 'verifying'));
  }
});

test('VNeID not confirmed (unreachable, refused, hanging, no portrait) → REVIEW vneid_unverified with the cause, never OPEN by itself', async () => {
  const cases: [VneidVerifier, string][] = [
    [{ verify: async () => ({ status: 'unavailable', reason: 'ECONNREFUSED' }) }, 'vneid_unavailable'],
    [{ verify: async () => ({ status: 'refused', reason: 'revoked' }) }, 'vneid_refused'],
    [{ verify: () => new Promise(() => undefined) }, 'vneid_unavailable'],
    [{ verify: async () => Promise.reject(new Error('adapter bug')) }, 'vneid_unavailable'],
    [
      { verify: async (q) => ({ status: 'verified', idNumber: q.idNumber, fullName: q.fullName, dateOfBirth: q.dateOfBirth }) },
      'vneid_no_photo',
    ],
    [
      {
        verify: async (q) => ({
          status: 'verified',
          idNumber: '001099004321',
          fullName: q.fullName,
          dateOfBirth: q.dateOfBirth,
          photo: new Uint8Array([1]),
        }),
      },
      'vneid_refused',
    ],
  ];
  for (const [verifier, cause] of cases) {
    const h = harness({ lane: { timeouts: { reviewMs: 1000, resultMs: 100 } } });
    const lane = new Lane({ ...(h.lane as unknown as { d: LaneDeps }).d, vneid: { verifier, timeoutMs: 200 } });
    lane.qrScanned(qr, 'vneid');
    const review = await waitState(h.states, (s) => s.phase === 'awaiting_review');
    assert.deepEqual(review.reasons, ['vneid_unverified', cause]);
    await lane.idle;
    assert.equal(h.events[0]!.decision?.outcome, 'deny');
    assert.deepEqual(h.events[0]!.decision?.reasons, ['vneid_unverified', cause, 'review_timeout']);
    assert.equal(h.pulses.length, 0);
  }
});

test('a closed lane starts nothing: a face seen, a card laid down or a manual open after close() makes no decision', async () => {
  const h = harness({ policy: 'industrial', watch: { face: { entryId: 'worker-7', listKind: 'allowlist', score: 0.97 } } });
  await h.lane.close();
  h.lane.faceSeen();
  h.lane.cardInserted(new FakeCard(async () => chipResult()));
  h.lane.command({
    type: 'open_gate',
    commandId: crypto.randomUUID(),
    siteId: 's1',
    gateId: 'g1',
    laneId: 'l1',
    reason: 'test',
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 10_000).toISOString(),
    issuedBy: 'op-lan',
  });
  await h.lane.idle;
  assert.equal(h.events.length, 0, 'nothing reaches the outbox after close: the edge is shutting down');
  assert.equal(h.pulses.length, 0);
  assert.equal(h.lane.phase, 'idle');
});

test('active liveness challenge: the lane prompts each step, gives the capture the steps’ time, and the operator sees the failed step', async () => {
  const h = harness({ lane: { policy: { livenessCheck: 'challenge', challenge: { steps: 2, stepMs: 3000, mirrored: false } } } });
  const seen: { windowMs: number; options?: CaptureOptions }[] = [];
  (h.lane as unknown as { d: LaneDeps }).d.face = {
    capture: async (windowMs, _signal, options) => {
      seen.push({ windowMs, options });
      options?.onPrompt?.('turn_left', 0);
      options?.onPrompt?.('blink', 1);
      return {
        embedding: vec(0.99),
        liveness: 0.9,
        qualityOk: true,
        livenessMs: 1,
        challenge: 'failed',
        challengeSteps: ['turn_left', 'blink'],
        challengeFailure: { step: 'blink', reason: 'too_slow' },
      };
    },
  };
  h.lane.canEntered('012345');
  h.lane.cardInserted(new FakeCard(async () => chipResult()));
  await h.lane.idle;
  assert.equal(seen[0]!.options?.challenge, 'active');
  assert.deepEqual(seen[0]!.options?.challengeOptions, { steps: 2, stepMs: 3000, mirrored: false });
  assert.equal(
    seen[0]!.windowMs,
    LaneConfigSchema.parse({ id: 'x' }).timeouts.faceWindowMs + 2 * 3000,
    'the face window plus the time for each step',
  );
  const prompts = h.states.flatMap((s) => s.reasons ?? []).filter((r) => r.startsWith('challenge_prompt_'));
  assert.deepEqual(prompts, ['challenge_prompt_turn_left', 'challenge_prompt_blink']);
  assert.deepEqual(h.events[0]?.decision?.reasons?.slice(0, 3), [
    'liveness_challenge_failed',
    'challenge_step_blink',
    'challenge_too_slow',
  ]);
  assert.equal(h.pulses.length, 0, 'no operator approved: the gate stays shut');
});
