import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import {
  InferenceError,
  type InferenceBackend,
  type LoadedModel,
  type LoadOptions,
  type ModelSpec,
  type NamedTensor,
} from './inference-backend.js';

/**
 * Default backend: onnxruntime-node on the CPU execution provider. Another execution provider
 * (CUDA, TensorRT, an NPU's) is a change of `executionProviders` here on a box that has one.
 */
export class OnnxBackend implements InferenceBackend {
  readonly name = 'onnxruntime-node-cpu';
  readonly formats = ['onnx'] as const;

  constructor(private readonly defaults: LoadOptions = {}) {}

  async load(spec: ModelSpec, options: LoadOptions = {}): Promise<LoadedModel> {
    if (spec.format !== 'onnx') throw new InferenceError(`${this.name} runs ONNX models; ${spec.id} is ${spec.format}`);
    const threads = options.threads ?? this.defaults.threads ?? 1;
    let session: ort.InferenceSession;
    try {
      const bytes = spec.bytes ?? new Uint8Array(await readFile(spec.path));
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: options.graphOptimization ?? this.defaults.graphOptimization ?? 'all',
      });
    } catch (err) {
      throw new InferenceError(`cannot load model ${spec.id} from ${spec.path}: ${(err as Error).message}`, { cause: err });
    }
    return new OnnxModel(spec.id, session);
  }
}

class OnnxModel implements LoadedModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  constructor(
    readonly id: string,
    private readonly session: ort.InferenceSession,
  ) {
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
  }

  async run(feeds: Record<string, NamedTensor>): Promise<Record<string, NamedTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, [...t.dims]);
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      results = await this.session.run(ortFeeds);
    } catch (err) {
      throw new InferenceError(`model ${this.id} failed to run: ${(err as Error).message}`, { cause: err });
    }
    const out: Record<string, NamedTensor> = {};
    for (const name of this.outputNames) {
      const t = results[name] as ort.Tensor;
      out[name] = { type: toTensorType(t.type, this.id), dims: t.dims, data: t.data as NamedTensor['data'] };
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function toTensorType(type: string, id: string): NamedTensor['type'] {
  if (type === 'float32' || type === 'int32' || type === 'uint8') return type;
  throw new InferenceError(`model ${id} returned an unsupported tensor type ${type}`);
}
