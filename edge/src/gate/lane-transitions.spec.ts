import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LanePhaseSchema } from '../../../libs/contracts/src/index.js';
import { LANE_TRANSITIONS } from './lane.js';

const phases = LanePhaseSchema.options;

test('lane state diagram: every phase has its row, every cycle can end in DENY, OPEN only after verification (or by an operator from a resting phase)', () => {
  assert.deepEqual(Object.keys(LANE_TRANSITIONS).sort(), [...phases].sort());
  for (const from of phases.filter((p) => p !== 'fault')) assert.ok(LANE_TRANSITIONS[from].includes('denied'), `${from} → denied`);
  const toOpen = phases.filter((p) => LANE_TRANSITIONS[p].includes('open')).sort();
  assert.deepEqual(toOpen, ['awaiting_review', 'denied', 'idle', 'open', 'verifying']);
  assert.ok(
    !LANE_TRANSITIONS.reading_card.includes('open') && !LANE_TRANSITIONS.capturing_face.includes('open'),
    'no OPEN straight from the card read or the capture',
  );
  assert.ok(!LANE_TRANSITIONS.awaiting_review.includes('idle'), 'a pending review ends in a decision, never silently');
  assert.deepEqual(LANE_TRANSITIONS.fault, [], 'a lane that could not start is never driven');
  for (const [from, to] of Object.entries(LANE_TRANSITIONS)) for (const p of to) assert.ok(phases.includes(p), `${from} → ${p} is a phase`);
});
