import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GateEventSchema, type Decision, type LaneState } from '../../../libs/contracts/src/index.js';
import { FacePipeline } from '../../../libs/face/src/index.js';
import { AntiPassback } from '../gate/anti-passback.js';
import { FrameFaceCapturer } from '../gate/face-capture.js';
import { PipelineFaceMatcher } from '../gate/face-matcher.js';
import { Lane } from '../gate/lane.js';
import { laneFrameSource } from '../gate/lane-camera.js';
import { LaneConfigSchema } from '../gate/lane-config.schema.js';
import { MemoryWatchlist } from '../gate/memory-watchlist.js';
import { DemoEntrants } from './demo-entrants.js';

const face = (person: string, n: number) => join(process.env.CG_SHARED_DIR ?? '../shared', 'faces', person, `${n}.jpg`);

const waitFor = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/**
 * The demo's emulated entrants go through the real lane: the emulated chip is read and passes passive
 * authentication, the live face (a still photo looped by ffmpeg) is matched against the chip photo.
 */
test('demo entrants: the holder opens, a borrowed card is refused, a VNeID QR waits for the operator', { timeout: 120_000 }, async () => {
  const faces = await FacePipeline.create();
  const matcher = new PipelineFaceMatcher(faces);
  const capturer = new FrameFaceCapturer(
    laneFrameSource({ id: 'cam', kind: 'file', path: face('df01', 2) }),
    faces,
    matcher.livenessThreshold,
  );
  const decisions: Decision[] = [];
  const states: LaneState[] = [];
  const pulses: number[] = [];
  const lane = new Lane({
    siteId: 'demo',
    zoneId: 'z',
    gateId: 'g2',
    policy: 'station',
    antiPassbackZone: false,
    antiPassback: new AntiPassback(3600_000),
    config: LaneConfigSchema.parse({ id: 'l1', policy: { livenessCheck: 'passive' }, timeouts: { resultMs: 200, reviewMs: 1500 } }),
    face: capturer,
    matcher,
    watchlist: new MemoryWatchlist(matcher.threshold),
    actuator: { open: async () => void pulses.push(Date.now()) },
    hmacId: (id) => id,
    sink: { decision: (e) => decisions.push(GateEventSchema.parse(e).decision!), state: (s) => states.push(s), online: () => true },
  });
  const demo = new DemoEntrants(lane, { holder: face('df01', 1), other: face('df03', 1) }, 300);
  try {
    await demo.start();
    await waitFor(() => decisions.length >= 3, 90_000, 'three entrants decided');
    assert.deepEqual([decisions[0]!.outcome, decisions[0]!.method], ['open', 'chip_face'], `holder: ${decisions[0]!.reasons.join(',')}`);
    assert.deepEqual([decisions[1]!.outcome, decisions[1]!.reasons], ['deny', ['face_mismatch']]);
    assert.deepEqual([decisions[2]!.method, decisions[2]!.reasons], ['qr_face', ['qr_needs_operator', 'review_timeout']]);
    assert.ok(
      states.some((s) => s.phase === 'awaiting_review'),
      'the VNeID entrant waited for an operator',
    );
    assert.equal(pulses.length, 1, 'only the holder was let through');
  } finally {
    demo.stop();
    await lane.close();
    await capturer.stop();
    await faces.dispose();
  }
});
