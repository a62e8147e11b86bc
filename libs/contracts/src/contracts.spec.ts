import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CAMERA_VIEW,
  CameraFrameSchema,
  CameraViewLeaseSchema,
  GateEventSchema,
  parseCameraFramesTopic,
  parseGateTopic,
  topics,
  GateCommandSchema,
  CountsQuerySchema,
} from './index.js';

const valid = {
  eventId: '019a0000-0000-7000-8000-000000000001',
  siteId: 'site-a',
  zoneId: 'main',
  gateId: 'g1',
  direction: 'entry',
  source: 'camera',
  occurredAt: '2026-11-25T08:00:00+07:00',
};

test('a valid gate event parses; unknown fields and bad values are refused', () => {
  assert.equal(GateEventSchema.safeParse(valid).success, true);
  assert.equal(GateEventSchema.safeParse({ ...valid, extra: 1 }).success, false);
  assert.equal(GateEventSchema.safeParse({ ...valid, direction: 'sideways' }).success, false);
  assert.equal(GateEventSchema.safeParse({ ...valid, eventId: '6f1c2d9e-3b7a-4c2e-9f10-2a3b4c5d6e7f' }).success, false, 'v4 is not v7');
  assert.equal(GateEventSchema.safeParse({ ...valid, gateId: 'g/1' }).success, false, 'no topic separators in ids');
  assert.equal(GateEventSchema.safeParse({ ...valid, identity: { idNumber: '12345' } }).success, false);
});

test('topics round-trip through the parser', () => {
  assert.deepEqual(parseGateTopic(topics.gateEvents('site-a', 'g1')), { siteId: 'site-a', gateId: 'g1', kind: 'events' });
  assert.equal(parseGateTopic('cg/v1/sites/a/gates/b/other'), null);
  assert.equal(parseGateTopic('cg/v1/sites/a/b/gates/c/events'), null);
});

test('gate commands are a discriminated union', () => {
  const base = {
    commandId: crypto.randomUUID(),
    siteId: 's',
    gateId: 'g',
    issuedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 10_000).toISOString(),
    issuedBy: 'u1',
  };
  assert.equal(GateCommandSchema.safeParse({ ...base, type: 'open_gate', reason: 'x' }).success, true);
  assert.equal(GateCommandSchema.safeParse({ ...base, type: 'open_gate' }).success, false);
  assert.equal(GateCommandSchema.safeParse({ ...base, type: 'self_destruct' }).success, false);
});

test('count queries refuse reversed ranges and too many buckets', () => {
  const q = { siteId: 's', from: '2026-11-25T00:00:00Z', to: '2026-11-26T00:00:00Z' };
  assert.equal(CountsQuerySchema.parse(q).bucket, '1h');
  assert.equal(CountsQuerySchema.safeParse({ ...q, from: q.to, to: q.from }).success, false);
  assert.equal(CountsQuerySchema.safeParse({ ...q, to: '2027-11-20T00:00:00Z', bucket: '1m' }).success, false);
});

test('camera view: frame topics round-trip; frames over 64 KB, wider than 640 px or for another camera are refused', () => {
  assert.deepEqual(parseCameraFramesTopic(topics.gateCameraFrames('site-a', 'g1', 'cam-1')), {
    siteId: 'site-a',
    gateId: 'g1',
    cameraId: 'cam-1',
  });
  assert.equal(parseCameraFramesTopic('cg/v1/sites/a/gates/b/cameras/c/d/frames'), null);
  assert.equal(parseGateTopic(topics.gateCameraFrames('a', 'b', 'c')), null, 'not a gate events/status topic');
  const frame = {
    siteId: 's',
    gateId: 'g',
    cameraId: 'c',
    seq: 0,
    at: new Date().toISOString(),
    width: 640,
    height: 360,
    tracks: 2,
    jpeg: Buffer.alloc(CAMERA_VIEW.maxJpegBytes).toString('base64'),
  };
  assert.equal(CameraFrameSchema.safeParse(frame).success, true);
  assert.equal(
    CameraFrameSchema.safeParse({ ...frame, jpeg: Buffer.alloc(CAMERA_VIEW.maxJpegBytes + 3).toString('base64') }).success,
    false,
  );
  assert.equal(CameraFrameSchema.safeParse({ ...frame, width: 1280 }).success, false);
  assert.equal(
    CameraViewLeaseSchema.safeParse({ siteId: 's', gateId: 'g', cameraId: 'c', until: new Date().toISOString(), fps: 10 }).success,
    false,
    'at most 3 frames a second',
  );
});
