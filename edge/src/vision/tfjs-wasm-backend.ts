import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  InferenceError,
  type InferenceBackend,
  type LoadedModel,
  type LoadOptions,
  type ModelSpec,
  type NamedTensor,
} from '../../../libs/face/src/inference/inference-backend.js';

let ready: Promise<void> | undefined;

/** tfjs keeps one global engine per thread: set the wasm backend up once (SIMD, single-threaded). */
function initWasm(): Promise<void> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist/');
    setWasmPaths(wasmDir);
    // Silence tfjs' "you are not using tfjs-node" banner and its per-call control-flow hints.
    tf.env().set('IS_TEST', true);
    if (!(await tf.setBackend('wasm'))) throw new InferenceError('tfjs wasm backend failed to initialise');
    await tf.ready();
  })();
  return ready;
}

/**
 * Runs TensorFlow.js graph models (model.json + .bin shards) on the tfjs wasm backend, SIMD, one
 * thread per worker. Used for the person models that ship as tfjs graphs (MoveNet MultiPose).
 */
export class TfjsWasmBackend implements InferenceBackend {
  readonly name = 'tfjs-wasm';

  async load(spec: ModelSpec, _options: LoadOptions = {}): Promise<LoadedModel> {
    if (spec.format !== 'tfjs-graph') throw new InferenceError(`${this.name} runs tfjs graph models; ${spec.id} is ${spec.format}`);
    await initWasm();
    let model: tf.GraphModel;
    try {
      const json = JSON.parse(await readFile(spec.path, 'utf8')) as {
        modelTopology: object;
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      };
      const shards = await Promise.all(
        json.weightsManifest.flatMap((g) => g.paths.map((p) => readFile(join(dirname(spec.path), p)))),
      );
      const weights = Buffer.concat(shards);
      const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
      model = await tf.loadGraphModel(
        tf.io.fromMemory({
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
          weightData,
        }),
      );
    } catch (err) {
      throw new InferenceError(`cannot load model ${spec.id} from ${spec.path}: ${(err as Error).message}`, { cause: err });
    }
    return new TfjsGraphModel(spec.id, model);
  }
}

class TfjsGraphModel implements LoadedModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  constructor(
    readonly id: string,
    private readonly model: tf.GraphModel,
  ) {
    this.inputNames = model.inputs.map((i) => i.name);
    this.outputNames = model.outputs.map((o) => o.name);
  }

  async run(feeds: Record<string, NamedTensor>): Promise<Record<string, NamedTensor>> {
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = tf.tensor(t.data, [...t.dims], t.type === 'uint8' ? 'int32' : t.type);
    try {
      const out = this.model.execute(inputs, [...this.outputNames]);
      const list = Array.isArray(out) ? out : [out];
      const result: Record<string, NamedTensor> = {};
      for (let i = 0; i < list.length; i++) {
        const t = list[i]!;
        const data = (await t.data()) as Float32Array | Int32Array | Uint8Array;
        result[this.outputNames[i]!] = { type: t.dtype === 'int32' ? 'int32' : 'float32', dims: t.shape, data };
        t.dispose();
      }
      return result;
    } catch (err) {
      throw new InferenceError(`model ${this.id} failed to run: ${(err as Error).message}`, { cause: err });
    } finally {
      for (const t of Object.values(inputs)) t.dispose();
    }
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}
