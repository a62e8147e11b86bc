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
}

export interface LoadOptions {
  /** Intra-op threads; 1 on a busy edge box so each camera worker keeps to its core. */
  threads?: number;
}

export interface LoadedModel {
  readonly id: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, NamedTensor>): Promise<Record<string, NamedTensor>>;
  dispose(): Promise<void>;
}

export interface InferenceBackend {
  readonly name: string;
  load(spec: ModelSpec, options?: LoadOptions): Promise<LoadedModel>;
}
