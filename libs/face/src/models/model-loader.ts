import { basename, join } from 'node:path';
import type { InferenceBackend, LoadedModel, LoadOptions, ModelSpec } from '../inference/inference-backend.js';
import { landmark68NetToOnnx, recognitionNetToOnnx, tinyFaceDetectorToOnnx } from './face-api-to-onnx.js';
import { readFaceApiWeights } from './face-api-weights.js';
import { tfjsSequentialToOnnx } from './tfjs-graph-to-onnx.js';
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
export function resolveModelSpec(
  entry: ModelEntry,
  id: string,
  manifestPath: string,
  accepts: readonly ModelSpec['format'][] = ['onnx'],
): ModelSpec {
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
  if (accepts.includes('tfjs-graph')) return { id, path: join(root, modelJson.path), format: 'tfjs-graph' };
  if (entry.converter !== 'tfjs-sequential') {
    throw new ModelFileError('manifest-invalid', `model ${id}: TF.js graph has no ONNX converter and the backend cannot run TF.js graphs`);
  }
  return { id, path: join(root, modelJson.path), format: 'onnx', bytes: convertTfjsGraph(entry, id, files) };
}

/** The ONNX bytes a face-api entry converts to (also used to refresh manifest hashes). */
export function convertFaceApi(entry: ModelEntry, id: string, files: Map<string, Uint8Array>): Uint8Array {
  const manifestFile = entry.files.find((f) => f.path.endsWith('.json'));
  if (!manifestFile) throw new ModelFileError('manifest-invalid', `model ${id}: weights manifest (.json) not listed`);
  const shards = new Map<string, Uint8Array>();
  for (const [path, bytes] of files) if (!path.endsWith('.json')) shards.set(basename(path), bytes);
  const weights = readFaceApiWeights(new TextDecoder().decode(files.get(manifestFile.path)), shards);
  const converter = entry.converter;
  if (!converter || converter === 'tfjs-sequential') throw new ModelFileError('manifest-invalid', `model ${id}: no face-api converter`);
  const bytes = CONVERTERS[converter](weights);
  checkOnnxHash(entry, id, bytes);
  return bytes;
}

export function convertTfjsGraph(entry: ModelEntry, id: string, files: Map<string, Uint8Array>): Uint8Array {
  const modelJson = entry.files.find((f) => f.path.endsWith('.json'))!;
  const shards = new Map<string, Uint8Array>();
  for (const [path, bytes] of files) if (!path.endsWith('.json')) shards.set(basename(path), bytes);
  const size = entry.input.shape[1];
  if (typeof size !== 'number') throw new ModelFileError('manifest-invalid', `model ${id}: input shape must give the crop size`);
  const bytes = tfjsSequentialToOnnx(new TextDecoder().decode(files.get(modelJson.path)), shards, size);
  checkOnnxHash(entry, id, bytes);
  return bytes;
}

function checkOnnxHash(entry: ModelEntry, id: string, bytes: Uint8Array): void {
  if (!entry.onnxSha256) return;
  const actual = sha256Hex(bytes);
  if (actual !== entry.onnxSha256) {
    throw new ModelFileError(
      'conversion-mismatch',
      `model ${id}: converted ONNX graph has sha256 ${actual}, manifest expects ${entry.onnxSha256}; the converter changed — re-run calibration and update the manifest (npm run face:manifest)`,
    );
  }
}

export async function loadModel(
  backend: InferenceBackend,
  entry: ModelEntry,
  id: string,
  manifestPath: string,
  options?: LoadOptions,
): Promise<LoadedModel> {
  const graphOptimization = entry.runtime?.graphOptimization ?? options?.graphOptimization;
  const spec = resolveModelSpec(entry, id, manifestPath, backend.formats ?? ['onnx']);
  if (graphOptimization !== 'auto') return backend.load(spec, graphOptimization ? { ...options, graphOptimization } : options);
  const probeShape = entry.input.shape.map((d) => (typeof d === 'number' ? d : 1));
  return backend.load(spec, { ...options, graphOptimization, probeShape });
}
