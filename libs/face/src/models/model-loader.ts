import { basename, join } from 'node:path';
import type { InferenceBackend, LoadedModel, LoadOptions, ModelSpec } from '../inference/inference-backend.js';
import { landmark68NetToOnnx, recognitionNetToOnnx, tinyFaceDetectorToOnnx } from './face-api-to-onnx.js';
import { readFaceApiWeights } from './face-api-weights.js';
import type { ModelEntry } from './manifest-schema.js';
import { ModelFileError } from './model-errors.js';
import { readModelFiles, sha256Hex, sourceRoot } from './model-files.js';

const CONVERTERS = {
  'tiny-face-detector': tinyFaceDetectorToOnnx,
  'landmark-68': landmark68NetToOnnx,
  'recognition-resnet': recognitionNetToOnnx,
} as const;

/**
 * Produces the ModelSpec a backend loads: reads and hash-checks the files, converts face-api weights
 * to ONNX in memory (checking the graph's own hash), or points at a TF.js graph.
 */
export function resolveModelSpec(entry: ModelEntry, id: string, manifestPath: string): ModelSpec {
  const files = readModelFiles(entry, id, manifestPath);
  const root = sourceRoot(entry, id, manifestPath);
  if (entry.format === 'face-api-weights') {
    if (!entry.converter) throw new ModelFileError('manifest-invalid', `model ${id}: face-api weights need a converter`);
    const bytes = convertFaceApi(entry, id, files);
    return { id, path: join(root, entry.files[0].path), format: 'onnx', bytes };
  }
  if (entry.format === 'onnx') {
    return { id, path: join(root, entry.files[0].path), format: 'onnx', bytes: files.get(entry.files[0].path) };
  }
  const modelJson = entry.files.find((f) => f.path.endsWith('.json'));
  if (!modelJson) throw new ModelFileError('manifest-invalid', `model ${id}: a TF.js graph needs its model.json listed`);
  return { id, path: join(root, modelJson.path), format: 'tfjs-graph' };
}

/** The ONNX bytes a face-api entry converts to (also used to refresh manifest hashes). */
export function convertFaceApi(entry: ModelEntry, id: string, files: Map<string, Uint8Array>): Uint8Array {
  const manifestFile = entry.files.find((f) => f.path.endsWith('.json'));
  if (!manifestFile) throw new ModelFileError('manifest-invalid', `model ${id}: weights manifest (.json) not listed`);
  const shards = new Map<string, Uint8Array>();
  for (const [path, bytes] of files) if (!path.endsWith('.json')) shards.set(basename(path), bytes);
  const weights = readFaceApiWeights(new TextDecoder().decode(files.get(manifestFile.path)), shards);
  const bytes = CONVERTERS[entry.converter!](weights);
  if (entry.onnxSha256) {
    const actual = sha256Hex(bytes);
    if (actual !== entry.onnxSha256) {
      throw new ModelFileError(
        'conversion-mismatch',
        `model ${id}: converted ONNX graph has sha256 ${actual}, manifest expects ${entry.onnxSha256}; the converter changed — re-run calibration and update the manifest (npm run face:manifest)`,
      );
    }
  }
  return bytes;
}

export async function loadModel(
  backend: InferenceBackend,
  entry: ModelEntry,
  id: string,
  manifestPath: string,
  options?: LoadOptions,
): Promise<LoadedModel> {
  return backend.load(resolveModelSpec(entry, id, manifestPath), options);
}
