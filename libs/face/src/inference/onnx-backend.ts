import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import {
  InferenceError,
  type InferenceBackend,
  type LoadedModel,
  type LoadOptions,
  type GraphOptimization,
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
    const level = options.graphOptimization ?? this.defaults.graphOptimization ?? 'all';
    let bytes: Uint8Array;
    try {
      bytes = spec.bytes ?? new Uint8Array(await readFile(spec.path));
    } catch (err) {
      throw new InferenceError(`cannot load model ${spec.id} from ${spec.path}: ${(err as Error).message}`, { cause: err });
    }
    const open = async (graphOptimizationLevel: Exclude<GraphOptimization, 'auto'>) => {
      try {
        const session = await ort.InferenceSession.create(bytes, {
          executionProviders: ['cpu'],
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel,
        });
        return new OnnxModel(spec.id, session, graphOptimizationLevel);
      } catch (err) {
        throw new InferenceError(`cannot load model ${spec.id} from ${spec.path}: ${(err as Error).message}`, { cause: err });
      }
    };
    if (level !== 'auto') return open(level);
    const shape = options.probeShape;
    if (!shape?.length) throw new InferenceError(`model ${spec.id}: graph optimisation 'auto' needs the input shape to time it`);
    const candidates = [await open('extended'), await open('all')];
    try {
      const cost = await probeCost(candidates, shape);
      const [keep, drop] = cost[1] < cost[0] ? [candidates[1], candidates[0]] : [candidates[0], candidates[1]];
      await drop.dispose();
      return keep;
    } catch (err) {
      await Promise.all(candidates.map((c) => c.dispose()));
      throw err;
    }
  }
}

/**
 * CPU time per run of each model on the same zero input: 3 warm-up runs each, then 7 timed runs
 * taken in turn (so a burst of load elsewhere falls on all of them), median per model.
 */
async function probeCost(models: OnnxModel[], shape: readonly number[]): Promise<number[]> {
  const size = shape.reduce((a, b) => a * b, 1);
  const feeds = { [models[0].inputNames[0] ?? 'input']: { type: 'float32' as const, dims: shape, data: new Float32Array(size) } };
  for (const m of models) for (let i = 0; i < 3; i++) await m.run(feeds);
  const times: number[][] = models.map(() => []);
  for (let i = 0; i < 7; i++) {
    for (const [k, m] of models.entries()) {
      const c = process.cpuUsage();
      await m.run(feeds);
      const used = process.cpuUsage(c);
      times[k].push(used.user + used.system);
    }
  }
  return times.map((xs) => xs.sort((a, b) => a - b)[xs.length >> 1]);
}

class OnnxModel implements LoadedModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  constructor(
    readonly id: string,
    private readonly session: ort.InferenceSession,
    readonly optimization: string,
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
