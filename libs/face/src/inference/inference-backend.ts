/**
 * The one seam between model code and a runtime. Face and person models call only this; the
 * onnxruntime-node (CPU) and tfjs (wasm) backends implement it, and a tfjs-node / CUDA / NPU backend
 * on a real edge box is one more class implementing it.
 */
export type TensorType = 'float32' | 'int32' | 'uint8';
export type TensorData = Float32Array | Int32Array | Uint8Array;

export interface NamedTensor {
  type: TensorType;
  dims: readonly number[];
  data: TensorData;
}

export interface ModelSpec {
  /** Manifest id, e.g. "face-detector". */
  id: string;
  /** Absolute path of the model file (ONNX) or model.json (tfjs graph model). */
  path: string;
  format: 'onnx' | 'tfjs-graph';
  /**
   * Model bytes already in memory (e.g. an ONNX graph converted from hash-checked weights at load).
   * When given, backends use them instead of reading `path`; `path` then only names the source.
   */
  bytes?: Uint8Array;
  /**
   * TF.js graphs only: rewrites the graph as read from disk before it is built (e.g. a fixed input
   * size baked into a graph's constants changed to the size a camera runs it at). The hash check of
   * the files on disk is unaffected.
   */
  adaptTfjsGraph?: (graph: TfjsGraphArtifacts) => TfjsGraphArtifacts;
}

/** A TF.js graph model as read from model.json and its weight shards. */
export interface TfjsGraphArtifacts {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TF.js attr values are a tagged union read by the converter per op
  modelTopology: { node: { name: string; op: string; input?: string[]; attr?: Record<string, any> }[] } & Record<string, unknown>;
  weightSpecs: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string } & Record<string, unknown> }[];
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: unknown;
  userDefinedMetadata?: Record<string, object>;
}

export interface LoadOptions {
  /** Intra-op threads; 1 on a busy edge box so each camera worker keeps to its core. */
  threads?: number;
  /**
   * onnxruntime graph optimisation level (default 'all'). 'all' adds layout transforms (NCHWc) whose
   * gain depends on the CPU: on one box they made the ArcFace-style embedder 3× slower, on another
   * (AVX-512) 25 % faster. 'auto' builds the model at 'extended' and at 'all', times both on a zero
   * input of `probeShape` and keeps the faster (a few hundred ms once, at load).
   */
  graphOptimization?: GraphOptimization;
  /** Input shape for the 'auto' probe (the manifest's `input.shape`, symbolic dimensions as 1). */
  probeShape?: readonly number[];
}

export type GraphOptimization = 'basic' | 'extended' | 'all' | 'auto';

/** Raised when a model cannot be loaded or run (missing file, bad graph, wrong feeds). */
export class InferenceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InferenceError';
  }
}

export interface LoadedModel {
  readonly id: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** The graph optimisation level the model runs at, when the backend has such levels. */
  readonly optimization?: string;
  run(feeds: Record<string, NamedTensor>): Promise<Record<string, NamedTensor>>;
  dispose(): Promise<void>;
}

export interface InferenceBackend {
  readonly name: string;
  /** Model formats this backend loads; when absent, only 'onnx' is assumed. */
  readonly formats?: readonly ModelSpec['format'][];
  load(spec: ModelSpec, options?: LoadOptions): Promise<LoadedModel>;
}
