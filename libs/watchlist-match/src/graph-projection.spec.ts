import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaceIndex, exactTopK, type GraphInfo } from './face-index.js';
import { fitProjection, gramJs, projectOne } from './graph-projection.js';
import { loadTfLinear } from './tf-linear.js';
import { gaussian, mulberry32, noisyCopy, normaliseInPlace } from './testing/seeded-random.js';

/**
 * Unit vectors whose variance lives mostly in `strong` of `dims` directions (like face embeddings,
 * which use their dimensions unevenly): a random mix of `strong` fixed directions plus weak isotropic noise.
 */
function unevenVectors(n: number, dims: number, strong: number, seed: number, weak = 0.02): Float32Array[] {
  const g = gaussian(mulberry32(seed));
  const dirs = Array.from({ length: strong }, () => normaliseInPlace(Float32Array.from({ length: dims }, g)));
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dims }, () => weak * g());
    for (const d of dirs) {
      const z = g();
      for (let i = 0; i < dims; i++) v[i]! += z * d[i]!;
    }
    return normaliseInPlace(v);
  });
}

const flat = (rows: Float32Array[]): Float32Array => {
  const out = new Float32Array(rows.length * rows[0]!.length);
  rows.forEach((r, i) => out.set(r, i * r.length));
  return out;
};

test('PCA projection: orthonormal directions, the variance of a low-rank set kept, unit-length projections, bad sizes refused', () => {
  const dims = 96;
  const rows = unevenVectors(3000, dims, 12, 5);
  const slots = Uint32Array.from(rows.keys());
  const p = fitProjection(flat(rows), dims, slots, 16);
  assert.equal(p.to, 16);
  assert.equal(p.from, dims);
  for (let a = 0; a < 16; a++)
    for (let b = a; b < 16; b++) {
      let s = 0;
      for (let i = 0; i < dims; i++) s += p.basis[a * dims + i]! * p.basis[b * dims + i]!;
      assert.ok(Math.abs(s - (a === b ? 1 : 0)) < 1e-4, `basis rows ${a}·${b} = ${s}`);
    }
  assert.ok(p.explained > 0.9, `12 strong directions of 96 kept in 16: ${p.explained}`);
  const few = fitProjection(flat(rows), dims, slots, 4);
  assert.ok(few.explained < p.explained, 'fewer directions keep less');
  const y = projectOne(p, rows[0]!);
  assert.equal(y.length, 16);
  assert.ok(Math.abs(Math.hypot(...y) - 1) < 1e-5);
  assert.throws(() => fitProjection(flat(rows), dims, slots, dims), /fewer dimensions/);
  assert.throws(() => fitProjection(flat(rows), dims, slots, 0), /fewer dimensions/);
  assert.throws(() => fitProjection(flat(rows), dims, Uint32Array.of(0), 8), /at least two/);
});

test('the wasm products the build worker uses equal the plain ones', async () => {
  const tf = await loadTfLinear();
  const dims = 64;
  const rows = unevenVectors(500, dims, 10, 9);
  const x = flat(rows);
  const fast = tf.gram(x, rows.length, dims);
  const slow = gramJs(x, rows.length, dims);
  for (let i = 0; i < fast.length; i++)
    assert.ok(Math.abs(fast[i]! - slow[i]!) < 1e-3 * Math.max(1, Math.abs(slow[i]!)), `gram[${i}] ${fast[i]} vs ${slow[i]}`);
  const p = fitProjection(x, dims, Uint32Array.from(rows.keys()), 8, (a, n, d) => tf.gram(a, n, d));
  const many = tf.project(p, x, rows.length);
  rows.forEach((r, i) => {
    const one = projectOne(p, r);
    for (let c = 0; c < 8; c++) assert.ok(Math.abs(many[i * 8 + c]! - one[c]!) < 1e-4, `row ${i} dim ${c}`);
  });
});

test('a graph built in fewer PCA dimensions finds the same top-1 as an exact scan, with exact similarities', async () => {
  const dims = 256;
  const n = 6000;
  const data = unevenVectors(n, dims, 24, 21, 0.05);
  const graphs: GraphInfo[] = [];
  const index = new FaceIndex({
    dimensions: dims,
    exactBelow: 4096,
    buildThreads: 1,
    graph: { graphDimensions: 32, rerank: 16 },
    onGraph: (g) => graphs.push(g),
  });
  data.forEach((v, i) => index.add(i, v));
  await index.settled();
  assert.equal(index.mode, 'hnsw');
  const g = graphs.at(-1)!;
  assert.ok(g.ok, g.ok ? '' : String(g.error));
  assert.equal(g.graphDimensions, 32);
  assert.ok(g.explainedVariance > 0.8 && g.explainedVariance < 1, `explained ${g.explainedVariance}`);
  assert.ok(g.fitMs > 0 && g.fitMs < g.buildMs);

  const noise = gaussian(mulberry32(77));
  const all = data.map((v, k) => [k, v] as [number, Float32Array]);
  let agree = 0;
  for (let i = 0; i < 200; i++) {
    const q = noisyCopy(data[i * 17]!, 0.03, noise);
    const exact = exactTopK(all, q, 1)[0]!;
    const got = index.search(q, 1)[0]!;
    if (got.key === exact.key) {
      agree++;
      assert.ok(Math.abs(got.similarity - exact.similarity) < 1e-5, 'similarities come from the f32 rows, not the projection');
    }
  }
  assert.ok(agree >= 196, `recall@1 ${agree}/200`);
});

test('a list without spread (every template the same) gets a graph over its own dimensions, not a projection onto nothing', async () => {
  const dims = 128;
  const v = normaliseInPlace(Float32Array.from({ length: dims }, (_, i) => Math.sin(i + 1)));
  const graphs: GraphInfo[] = [];
  const index = new FaceIndex({
    dimensions: dims,
    exactBelow: 4096,
    buildThreads: 1,
    graph: { graphDimensions: 16 },
    onGraph: (g) => graphs.push(g),
  });
  // 5 000: not a power of two, so the mean carries rounding error and the centred rows are not exactly 0.
  for (let i = 0; i < 5000; i++) index.add(i, v);
  await index.settled();
  const g = graphs.at(-1)!;
  assert.ok(g.ok, g.ok ? '' : String(g.error));
  assert.equal(index.mode, 'hnsw');
  assert.equal(g.graphDimensions, dims);
  const hit = index.search(v, 1)[0]!;
  assert.ok(hit.key >= 0 && hit.key < 5000);
  assert.ok(hit.similarity > 0.9999);
});
