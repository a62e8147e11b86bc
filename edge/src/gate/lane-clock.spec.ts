import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CccdReadResult } from '../../../libs/cccd/src/index.js';
import type { GateEvent, LaneState } from '../../../libs/contracts/src/index.js';
import { AntiPassback } from './anti-passback.js';
import { Lane } from './lane.js';
import { LaneConfigSchema, type SitePolicy } from './lane-config.schema.js';
import type { CardHandle, ListHit } from './lane-ports.js';

// The lane's clock is injected: the rules that depend on elapsed time (a face-only lane's repeat
// window, how long a scanned QR's CAN stays usable) are tested in milliseconds, not by waiting 15–20 s.

const ID = '079203012345';
const qr = `${ID}||Nguyễn Thị Thanh Hương|15082003|Nữ|12 Lê Lợi, Q1, TP HCM|10052021`;

function rig(policy: SitePolicy, watchFace?: ListHit) {
  let t = Date.parse('2026-03-01T08:00:00Z');
  const events: GateEvent[] = [];
  const states: LaneState[] = [];
  const lane = new Lane({
    siteId: 's1',
    zoneId: 'z1',
    gateId: 'g1',
    config: LaneConfigSchema.parse({
      id: 'l1',
      ...(policy === 'industrial' ? {} : { reader: 'Virtual' }),
      timeouts: { resultMs: 100, accessKeyMs: 500 },
      policy: { livenessCheck: 'passive' },
    }),
    policy,
    antiPassbackZone: false,
    antiPassback: new AntiPassback(3600_000),
    face: { capture: async () => ({ embedding: Float32Array.from([1, 0]), liveness: 0.9, qualityOk: true, livenessMs: 1 }) },
    matcher: {
      threshold: 0.9,
      livenessThreshold: 0.35,
      embedReference: async () => Float32Array.from([1, 0]),
      similarity: (a, b) => a[0]! * b[0]! + a[1]! * b[1]!,
    },
    watchlist: { matchIdNumber: () => undefined, matchFace: () => watchFace },
    hmacId: (id) => createHmac('sha256', 'k').update(id).digest('hex'),
    sink: { decision: (e) => events.push(e), state: (s) => states.push(s), online: () => true },
    now: () => t,
  });
  const backToIdle = async () => {
    await lane.idle;
    while (lane.phase !== 'idle') await sleep(10);
  };
  return { lane, events, states, advance: (ms: number) => (t += ms), backToIdle };
}

const genuineChip = {
  genuine: true,
  personal: { idNumber: ID, fullName: 'Nguyễn Thị Thanh Hương', dateOfBirth: '15/08/2003' },
  mrz: { personalNumber: ID },
  face: { bytes: new Uint8Array([1]) },
  passiveAuth: { genuine: true },
  steps: [],
} as unknown as CccdReadResult;

test('face-only lane: the same worker in view is one decision while seen within 15 s of the last sighting, a new one after a 15 s gap', async () => {
  const r = rig('industrial', { entryId: 'worker-7', listKind: 'allowlist', score: 0.97 });
  r.lane.faceSeen();
  await r.backToIdle();
  assert.equal(r.events.length, 1);
  // Still standing there: seen every 10 s for a minute, never decided again (the window runs from the last sighting).
  for (let i = 0; i < 6; i++) {
    r.advance(10_000);
    r.lane.faceSeen();
    await r.backToIdle();
  }
  assert.equal(r.events.length, 1, 'one decision while in view');
  r.advance(15_001);
  r.lane.faceSeen();
  await r.backToIdle();
  assert.equal(r.events.length, 2, 'back after 15 s away: decided (and counted) again');
  assert.equal(r.events[1]!.decision?.outcome, 'open');
});

test("a card's QR gives its CAN for 20 s (pendingKeyMs): a card laid down later waits for a new key", async () => {
  const card = (): CardHandle & { keys: string[] } => {
    const keys: string[] = [];
    return { keys, read: async (k) => (keys.push(k.can), genuineChip), close: async () => undefined };
  };
  const fresh = rig('station');
  fresh.lane.qrScanned(qr);
  fresh.advance(19_000);
  const c1 = card();
  fresh.lane.cardInserted(c1);
  await fresh.backToIdle();
  assert.deepEqual(c1.keys, ['012345'], "within 20 s: the QR's CAN (the ID number's last six digits) is used");

  const stale = rig('station');
  stale.lane.qrScanned(qr);
  stale.advance(20_001);
  const c2 = card();
  stale.lane.cardInserted(c2);
  await stale.backToIdle();
  assert.deepEqual(c2.keys, [], 'a stale QR is not used');
  assert.ok(stale.states.some((s) => s.reasons?.includes('waiting_for_access_key')));
  assert.deepEqual(stale.events[0]?.decision?.reasons, ['no_access_key']);
});
