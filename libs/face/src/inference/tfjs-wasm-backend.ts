import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { readOnnxModel } from '../onnx/onnx-model-reader.js';
import { readTfjsGraph } from './tfjs-graph-file.js';
import type { OnnxTfjsRunner } from './onnx-tfjs-runner.js';
import {
  InferenceError,
  type InferenceBackend,
  type LoadedModel,
  type LoadOptions,
  type ModelSpec,
  type NamedTensor,
} from './inference-backend.js';

/**
 * Alternative backend: TF.js with its WebAssembly (XNNPACK) kernels. Runs TF.js graph models
 * natively and this library's ONNX graphs through OnnxTfjsRunner. TF.js keeps one global backend per
 * process, so the first load picks wasm for the whole process; a tfjs-node build would be a sibling
 * class that calls tf.setBackend('tensorflow') instead.
 */
let ready: Promise<typeof Tf> | undefined;

/** TF.js is imported on first use only, so importing libs/face does not load it. */
function initWasm(threads: number): Promise<typeof Tf> {
  ready ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(join(dist, 'dist') + '/');
    wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new InferenceError('TF.js wasm backend failed to initialise');
    await tf.ready();
    return tf;
  })();
  return ready;
}

export class TfjsWasmBackend implements InferenceBackend {
  readonly name = 'tfjs-wasm';
  readonly formats = ['onnx', 'tfjs-graph'] as const;

  constructor(private readonly defaults: LoadOptions = {}) {}

  async load(spec: ModelSpec, options: LoadOptions = {}): Promise<LoadedModel> {
    const tf = await initWasm(options.threads ?? this.defaults.threads ?? 1);
    try {
      if (spec.format === 'onnx') {
        const bytes = spec.bytes ?? new Uint8Array(await readFile(spec.path));
        const graph = readOnnxModel(bytes);
        const { OnnxTfjsRunner } = await import('./onnx-tfjs-runner.js');
        return new RunnerModel(spec.id, graph.inputs, graph.outputs, new OnnxTfjsRunner(graph));
      }
      const model = await tf.loadGraphModel(fileHandler(spec.path, spec.adaptTfjsGraph));
      return new GraphModelAdapter(spec.id, model, tf);
    } catch (err) {
      if (err instanceof InferenceError) throw err;
      throw new InferenceError(`cannot load model ${spec.id} from ${spec.path}: ${(err as Error).message}`, { cause: err });
    }
  }
}

class RunnerModel implements LoadedModel {
  constructor(
    readonly id: string,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    private readonly runner: OnnxTfjsRunner,
  ) {}

  async run(feeds: Record<string, NamedTensor>): Promise<Record<string, NamedTensor>> {
    try {
      return this.runner.run(feeds);
    } catch (err) {
      if (err instanceof InferenceError) throw err;
      throw new InferenceError(`model ${this.id} failed to run: ${(err as Error).message}`, { cause: err });
    }
  }

  async dispose(): Promise<void> {
    this.runner.dispose();
  }
}

class GraphModelAdapter implements LoadedModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  constructor(
    readonly id: string,
    private readonly model: Tf.GraphModel,
    private readonly tf: typeof Tf,
  ) {
    this.inputNames = model.inputs.map((i) => i.name);
    this.outputNames = model.outputs.map((o) => o.name);
  }

  async run(feeds: Record<string, NamedTensor>): Promise<Record<string, NamedTensor>> {
    const tf = this.tf;
    const inputs: Tf.NamedTensorMap = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = tf.tensor(t.data, [...t.dims], t.type === 'uint8' ? 'int32' : t.type);
    try {
      const outs = this.model.execute(inputs, [...this.outputNames]);
      const list = Array.isArray(outs) ? outs : [outs];
      const result: Record<string, NamedTensor> = {};
      list.forEach((t, i) => {
        result[this.outputNames[i]] = { type: 'float32', dims: t.shape, data: t.dataSync() as Float32Array };
        t.dispose();
      });
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

/** TF.js IO handler reading model.json and its weight shards from disk (Node's fetch has no file:). */
function fileHandler(modelJsonPath: string, adapt?: ModelSpec['adaptTfjsGraph']): Tf.io.IOHandler {
  return {
    load: async () => {
      const read = await readTfjsGraph(modelJsonPath);
      const g = adapt ? adapt(read) : read;
      return {
        modelTopology: g.modelTopology,
        format: g.format,
        generatedBy: g.generatedBy,
        convertedBy: g.convertedBy,
        userDefinedMetadata: g.userDefinedMetadata,
        weightSpecs: g.weightSpecs as Tf.io.WeightsManifestEntry[],
        weightData: g.weightData,
        ...(g.signature ? { signature: g.signature as object } : {}),
      };
    },
  };
}
