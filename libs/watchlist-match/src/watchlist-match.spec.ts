import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaceIndex, exactTopK } from './face-index.js';
import { idNumberHmac } from './id-number-hmac.js';
import { decodeTemplate, encodeTemplate } from './template-codec.js';
import { fusedTemplates, WatchlistMatcher } from './watchlist-matcher.js';
import { randomUnitVectors } from './testing/seeded-random.js';

/** Deterministic unit vectors (the shared seeded generator). */
const vectors = (n: number, dims: number, seed = 7): Float32Array[] => randomUnitVectors(n, dims, seed);

test('HNSW and exact scan agree on the top-1 of noisy copies; the index switches mode at the threshold', async () => {
  const data = vectors(600, 64);
  // One build thread: a multi-threaded build inserts in a varying order, so recall would vary from run to run.
  const index = new FaceIndex({ dimensions: 64, exactBelow: 500, buildThreads: 1 });
  data.forEach((v, i) => index.add(i, v));
  assert.equal(index.mode, 'exact', 'the graph is built in the background');
  await index.settled();
  assert.equal(index.mode, 'hnsw');
  const noise = vectors(100, 64, 99);
  let agree = 0;
  for (let i = 0; i < 100; i++) {
    const q = data[i]!.map((x, d) => x + 0.2 * noise[i]![d]!);
    const exact = exactTopK(
      data.map((v, k) => [k, v] as [number, Float32Array]),
      q.map((x) => x / Math.hypot(...q)),
      1,
    )[0]!;
    const got = index.search(q, 1)[0]!;
    assert.equal(exact.key, i);
    if (got.key === exact.key) agree++;
    assert.ok(Math.abs(got.similarity - exact.similarity) < 1e-4 || got.key !== exact.key);
  }
  assert.ok(agree >= 99, `recall@1 ${agree}/100`);
  for (let i = 0; i < 400; i++) index.remove(i);
  assert.equal(index.mode, 'exact');
  assert.equal(index.search(data[450]!, 1)[0]!.key, 450);
  assert.deepEqual(
    index.search(data[3]!, 1).map((h) => h.key === 3),
    [false],
  );
});

test('matcher: one hit per entry above the threshold, validity window and list kind respected, removal', () => {
  const [a1, a2, b1, c1] = vectors(4, 128, 3);
  const m = new WatchlistMatcher({ exactBelow: 10 });
  const now = Date.parse('2026-01-01T00:00:00Z');
  m.upsert({ entryId: 'a', listKind: 'watchlist', severity: 'high', templates: [a1!, a2!], idNumberHmac: 'h-a' });
  m.upsert({ entryId: 'b', listKind: 'allowlist', severity: 'low', templates: [b1!] });
  m.upsert({ entryId: 'c', listKind: 'watchlist', severity: 'critical', templates: [c1!], validUntil: now - 1, idNumberHmac: 'h-c' });
  const hits = m.matchFace(a2!, { threshold: 0.9, at: now });
  assert.deepEqual(
    hits.map((h) => h.entry.entryId),
    ['a'],
  );
  assert.ok(hits[0]!.similarity > 0.999);
  assert.deepEqual(m.matchFace(c1!, { threshold: 0.9, at: now }), [], 'expired entry never matches');
  assert.equal(m.matchFace(c1!, { threshold: 0.9, at: now - 10 }).length, 1);
  assert.deepEqual(m.matchFace(b1!, { threshold: 0.9, at: now, listKind: 'watchlist' }), []);
  assert.deepEqual(
    m.matchIdNumber('h-a', now).map((e) => e.entryId),
    ['a'],
  );
  assert.deepEqual(m.matchIdNumber('h-c', now), []);
  m.upsert({ entryId: 'a', listKind: 'watchlist', severity: 'high', templates: [b1!] });
  assert.deepEqual(m.matchIdNumber('h-a', now), [], 'upsert replaces the old HMAC');
  assert.deepEqual(m.matchFace(a1!, { threshold: 0.9, at: now }), [], 'and the old templates');
  assert.equal(m.remove('a'), true);
  assert.equal(m.templateCount, 2);
});

test('matcher: an entry of several photos is also searched by its fused template (mean of its templates)', () => {
  const [a1, a2, a3, other, noise] = vectors(5, 128, 11);
  // Three "photos" of one person: a shared identity direction plus a different nuisance each.
  const person = (v: Float32Array) => {
    const x = Float32Array.from(other!, (o, d) => o + 0.9 * v[d]!);
    const n = Math.hypot(...x);
    return x.map((y) => y / n);
  };
  const photos = [person(a1!), person(a2!), person(a3!)];
  const m = new WatchlistMatcher({ exactBelow: 10 });
  m.upsert({ entryId: 'p', listKind: 'watchlist', severity: 'high', templates: photos });
  m.upsert({ entryId: 'q', listKind: 'watchlist', severity: 'high', templates: [noise!] });
  assert.equal(m.templateCount, 4, 'fused templates are not counted as templates');
  const fused = fusedTemplates(photos)[0]!;
  assert.ok(Math.abs(Math.hypot(...fused) - 1) < 1e-6);
  // A new photo of the person: closer to the mean of the three than to any one of them.
  const probe = person(Float32Array.from(a1!, (v, d) => (v + a2![d]! + a3![d]!) / 3 + 0.3 * noise![d]!));
  const cos = (x: Float32Array, y: Float32Array) => x.reduce((s, v, d) => s + v * y[d]!, 0) / (Math.hypot(...x) * Math.hypot(...y));
  const bestPhoto = Math.max(...photos.map((t) => cos(t, probe)));
  const hit = m.matchFace(probe, { threshold: -1 })[0]!;
  assert.equal(hit.entry.entryId, 'p');
  assert.ok(
    Math.abs(hit.similarity - cos(fused, probe)) < 1e-5,
    `scored by the fused template (${hit.similarity} vs ${cos(fused, probe)})`,
  );
  assert.ok(hit.similarity > bestPhoto + 0.01, `fused ${hit.similarity} beats the best single photo ${bestPhoto}`);
  // One template: nothing to fuse; templates of two dimensions fuse per dimension only.
  assert.deepEqual(fusedTemplates([noise!]), []);
  assert.equal(fusedTemplates([...photos, vectors(1, 64, 3)[0]!]).length, 1);
  // Removal takes the fused template with it.
  m.remove('p');
  assert.equal(m.templateCount, 1);
  assert.deepEqual(
    m.matchFace(probe, { threshold: 0.5 }).map((h) => h.entry.entryId),
    [],
  );
});

test('ID-number HMAC is keyed and refuses anything but 12 digits; template codec round-trips', () => {
  const k1 = Buffer.alloc(32, 1);
  const k2 = Buffer.alloc(32, 2);
  assert.match(idNumberHmac(k1, '001099012345'), /^[a-f0-9]{64}$/);
  assert.equal(idNumberHmac(k1, '001099012345'), idNumberHmac(k1, '0010 9901 2345'));
  assert.notEqual(idNumberHmac(k1, '001099012345'), idNumberHmac(k2, '001099012345'));
  assert.throws(() => idNumberHmac(k1, '12345'), /12 digits/);
  const v = vectors(1, 128)[0]!;
  assert.deepEqual(decodeTemplate(encodeTemplate(v)), v);
  assert.throws(() => decodeTemplate('AAA='), /float32/);
});
