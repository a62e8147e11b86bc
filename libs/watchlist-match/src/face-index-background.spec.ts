import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaceIndex, exactTopK, type GraphInfo } from './face-index.js';
import { longestEventLoopGap } from './testing/event-loop-gap.js';
import { clusteredUnitVectors, randomUnitVectors } from './testing/seeded-random.js';

test('a large list builds its graph in a worker: the event loop keeps running, the exact scan answers meanwhile, changes made during the build are honoured', async (t) => {
  const dims = 128;
  const n = 40_000;
  const data = clusteredUnitVectors(n, dims, 400, 11);
  const graphs: GraphInfo[] = [];
  // One build thread, so the test's own thread keeps a core on this 2-core machine.
  const index = new FaceIndex({ dimensions: dims, exactBelow: n, buildThreads: 1, onGraph: (g) => graphs.push(g) });
  data.forEach((v, i) => index.add(i, v));
  assert.equal(index.building, true, 'the build starts when the list reaches the threshold');
  assert.equal(index.mode, 'exact');

  const late = randomUnitVectors(1, dims, 999)[0]!;
  // Event-loop turns taken while the graph builds. Built on this thread, the build would finish inside
  // one turn (none would see `building`); in a worker, turns go on throughout. Counted, not timed: how
  // long a turn or the build takes depends on the machine and its load (bench:watchlist prints the stall).
  let turnsWhileBuilding = 0;
  let turning = true;
  const turns = (async () => {
    while (turning) {
      await new Promise<void>((r) => setTimeout(r, 5)); // a timer, not a spin: the build keeps its core
      if (index.building) turnsWhileBuilding++;
    }
  })();
  const stall = await longestEventLoopGap(async () => {
    // Back to the loop once: the build (started by the last add) is still running.
    await new Promise<void>((r) => setImmediate(r));
    assert.equal(index.building, true, 'still building after the event loop turned: the build is not on this thread');
    // While it builds: exact answers, and a removal and an addition the graph will not contain.
    const during = index.search(data[123]!, 1)[0]!;
    assert.equal(during.key, 123);
    assert.ok(during.similarity > 0.9999);
    index.remove(77);
    index.add(1_000_000, late);
    await index.settled();
  });
  turning = false;
  await turns;

  assert.equal(graphs.length, 1);
  const g = graphs[0]!;
  assert.ok(g.ok, g.ok ? '' : String(g.error));
  assert.equal(g.templates, n, 'the graph holds the rows live when the build started');
  assert.ok(turnsWhileBuilding >= 2, `the event loop turned ${turnsWhileBuilding} times during the build`);
  t.diagnostic(
    `build ${g.buildMs.toFixed(0)} ms; ${turnsWhileBuilding} event-loop turns meanwhile; longest stall ${stall.toFixed(0)} ms (a figure, not a pass mark)`,
  );
  assert.equal(index.mode, 'hnsw');
  assert.equal(index.building, false, 'two changes since the build do not warrant another');

  // After the swap: the removed template is gone, the late one (outside the graph) is found.
  assert.notEqual(index.search(data[77]!, 1)[0]!.key, 77);
  assert.equal(index.search(late, 1)[0]!.key, 1_000_000);
  // And graph answers agree with the exact scan on noisy copies, with exact similarities.
  const all: [number, Float32Array][] = data.map((v, i) => [i, v]);
  all.splice(77, 1);
  all.push([1_000_000, late]);
  const noise = randomUnitVectors(200, dims, 5);
  let agree = 0;
  for (let i = 0; i < 200; i++) {
    const q = data[i * 150]!.map((x, d) => x + 0.05 * noise[i]![d]!);
    const len = Math.hypot(...q);
    const got = index.search(q, 1)[0]!;
    const want = exactTopK(
      all,
      q.map((x) => x / len),
      1,
    )[0]!;
    if (got.key === want.key) {
      agree++;
      assert.ok(Math.abs(got.similarity - want.similarity) < 1e-5, 'similarities are exact');
    }
  }
  assert.ok(agree >= 198, `recall@1 ${agree}/200`);
});
