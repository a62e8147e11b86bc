import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InferenceBackend, LoadOptions } from '../inference/inference-backend.js';
import { OnnxBackend } from '../inference/onnx-backend.js';
import type { ModelManifest } from './manifest-schema.js';
import { ModelFileError } from './model-errors.js';
import { defaultManifestPath, readManifest, sourceRoot } from './model-files.js';
import { loadModel } from './model-loader.js';

/** Hash-checked loading: a missing, altered or re-pinned model file never loads. */
const realManifestPath = defaultManifestPath();
const real = readManifest(realManifestPath);
const work = mkdtempSync(join(tmpdir(), 'cg-face-manifest-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A manifest in `work` whose detector files are copies in `work/files` (so they can be altered). */
function detectorCopy(name: string): { manifestPath: string; files: string; manifest: ModelManifest } {
  const dir = join(work, name);
  const files = join(dir, 'files');
  const entry = structuredClone(real.models['face-detector']);
  const root = sourceRoot(entry, 'face-detector', realManifestPath);
  for (const f of entry.files) {
    mkdirSync(dirname(join(files, f.path)), { recursive: true });
    copyFileSync(join(root, f.path), join(files, f.path));
  }
  entry.source = { directory: 'files' };
  const manifest: ModelManifest = { schema: 1, models: { 'face-detector': entry } };
  const manifestPath = join(dir, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return { manifestPath, files, manifest };
}

async function loadFails(manifestPath: string, code: ModelFileError['code']): Promise<void> {
  const manifest = readManifest(manifestPath);
  const [id, entry] = Object.entries(manifest.models)[0];
  await assert.rejects(loadModel(new OnnxBackend(), entry, id, manifestPath), (err: unknown) => {
    assert.ok(err instanceof ModelFileError, String(err));
    assert.equal(err.code, code, err.message);
    return true;
  });
}

describe('model manifest and hash check', () => {
  it('the repository manifest lists every task with licence, origin and thresholds', () => {
    const tasks = Object.values(real.models).map((e) => e.task).sort();
    // Two embedders: the default ArcFace-style one and the clearly licensed dlib fallback.
    assert.deepEqual(tasks, ['detect', 'embed', 'embed', 'landmarks', 'liveness']);
    assert.equal(real.use?.embed, 'face-embedder-arcface');
    for (const e of Object.values(real.models)) {
      assert.ok(e.licence.length > 2 && e.origin.length > 10);
      // Converted graphs are pinned too; a model shipped as ONNX is pinned by its file hash.
      assert.ok(e.format === 'onnx' || e.onnxSha256, 'converted graphs are pinned too');
    }
    for (const embed of Object.values(real.models).filter((e) => e.task === 'embed')) {
      for (const key of ['cosine', 'cardReview', 'alert', 'alertReview', 'admit', 'admitReview']) assert.equal(typeof embed.thresholds[key], 'number', key);
      assert.ok(embed.thresholds.cardReview! <= embed.thresholds.cosine! && embed.thresholds.alertReview! <= embed.thresholds.alert!);
      assert.ok(embed.calibration?.uses?.card && embed.calibration.groups?.['east-asian']);
    }
    assert.match(real.models['face-embedder-arcface']!.licence, /UNCLEAR/, 'the licence position is stated, not assumed');
  });

  it('loads an unaltered copy', async () => {
    const { manifestPath, manifest } = detectorCopy('ok');
    const model = await loadModel(new OnnxBackend(), manifest.models['face-detector'], 'face-detector', manifestPath);
    assert.deepEqual(model.inputNames, ['input']);
    await model.dispose();
  });

  it('refuses an altered weights file, naming the file and both hashes', async () => {
    const { manifestPath, files, manifest } = detectorCopy('altered');
    const bin = join(files, manifest.models['face-detector'].files[1].path);
    const bytes = readFileSync(bin);
    bytes[1000] ^= 0x01;
    writeFileSync(bin, bytes);
    await loadFails(manifestPath, 'hash-mismatch');
    const entry = manifest.models['face-detector'];
    await assert.rejects(loadModel(new OnnxBackend(), entry, 'face-detector', manifestPath), new RegExp(entry.files[1].sha256));
  });

  it('refuses a missing file', async () => {
    const { manifestPath, files, manifest } = detectorCopy('missing');
    rmSync(join(files, manifest.models['face-detector'].files[0].path));
    await loadFails(manifestPath, 'missing');
  });

  it('refuses a package whose installed version differs from the pin', async () => {
    const entry = structuredClone(real.models['face-detector']);
    entry.source = { package: '@vladmandic/face-api', version: '0.0.1' };
    // Package sources resolve node_modules from the manifest's folder, so use the real one.
    await assert.rejects(
      loadModel(new OnnxBackend(), entry, 'face-detector', realManifestPath),
      (err: unknown) => err instanceof ModelFileError && err.code === 'version-mismatch',
    );
  });

  it('refuses a converted graph whose hash differs from the recorded one', async () => {
    const { manifestPath, manifest } = detectorCopy('converter');
    manifest.models['face-detector'].onnxSha256 = '0'.repeat(64);
    writeFileSync(manifestPath, JSON.stringify(manifest));
    await loadFails(manifestPath, 'conversion-mismatch');
  });

  it("passes an entry's runtime.graphOptimization to the backend and refuses an unknown level", async () => {
    const seen: (LoadOptions | undefined)[] = [];
    const backend: InferenceBackend = {
      name: 'recording',
      formats: ['onnx'],
      load: async (spec, options) => {
        seen.push(options);
        return new OnnxBackend().load(spec, options);
      },
    };
    const { manifestPath, manifest } = detectorCopy('runtime');
    const entry = manifest.models['face-detector'];
    await (await loadModel(backend, entry, 'face-detector', manifestPath, { threads: 1 })).dispose();
    await (await loadModel(backend, { ...entry, runtime: { graphOptimization: 'extended' } }, 'face-detector', manifestPath, { threads: 1 })).dispose();
    assert.deepEqual(seen, [{ threads: 1 }, { threads: 1, graphOptimization: 'extended' }]);
    // The shipped ArcFace-style embedder asks for 'auto': which of 'extended' and 'all' is faster depends on the CPU.
    assert.equal(real.models['face-embedder-arcface']!.runtime?.graphOptimization, 'auto');
    const bad = join(work, 'bad-runtime.json');
    writeFileSync(bad, JSON.stringify({ schema: 1, models: { 'face-detector': { ...entry, runtime: { graphOptimization: 'fastest' } } } }));
    assert.throws(() => readManifest(bad), (err: unknown) => err instanceof ModelFileError && err.code === 'manifest-invalid');
  });

  it("'auto' times 'extended' and 'all', keeps one and the loader gives it the manifest's input shape", async () => {
    const seen: (LoadOptions | undefined)[] = [];
    const backend: InferenceBackend = {
      name: 'recording',
      formats: ['onnx'],
      load: async (spec, options) => {
        seen.push(options);
        return new OnnxBackend().load(spec, options);
      },
    };
    const { manifestPath, manifest } = detectorCopy('auto');
    const entry = manifest.models['face-detector'];
    const auto = await loadModel(backend, { ...entry, runtime: { graphOptimization: 'auto' } }, 'face-detector', manifestPath, { threads: 1 });
    const fixed = await loadModel(backend, { ...entry, runtime: { graphOptimization: 'extended' } }, 'face-detector', manifestPath, { threads: 1 });
    try {
      assert.deepEqual(seen[0], { threads: 1, graphOptimization: 'auto', probeShape: [1, 3, 416, 416] });
      assert.ok(auto.optimization === 'extended' || auto.optimization === 'all', `chose ${auto.optimization}`);
      assert.equal(fixed.optimization, 'extended');
      // Either level computes the same function (to float rounding).
      const data = new Float32Array(3 * 64 * 96).map((_, i) => Math.sin(i) * 0.5);
      const feeds = { [auto.inputNames[0]!]: { type: 'float32' as const, dims: [1, 3, 64, 96], data } };
      const [a, b] = [(await auto.run(feeds))[auto.outputNames[0]!]!, (await fixed.run(feeds))[fixed.outputNames[0]!]!];
      assert.deepEqual(a.dims, b.dims);
      let worst = 0;
      for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(Number(a.data[i]) - Number(b.data[i])));
      assert.ok(worst < 1e-3, `largest difference ${worst}`);
    } finally {
      await auto.dispose();
      await fixed.dispose();
    }
    // Without a shape there is nothing to time: a clear error, not a guess.
    await assert.rejects(new OnnxBackend().load({ id: 'x', path: join(work, 'none.onnx'), format: 'onnx', bytes: new Uint8Array([1]) }, { graphOptimization: 'auto' }), /needs the input shape/);
  });

  it('refuses an invalid manifest', () => {
    const manifestPath = join(work, 'invalid.json');
    writeFileSync(manifestPath, JSON.stringify({ schema: 1, models: { x: { task: 'detect' } } }));
    assert.throws(() => readManifest(manifestPath), (err: unknown) => err instanceof ModelFileError && err.code === 'manifest-invalid');
  });
});
