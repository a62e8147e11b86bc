import { decodeString, readFields, readInts, type ProtobufField } from './protobuf-reader.js';

/** Parsed ONNX graph, enough for the TF.js runner to execute the graphs this library emits. */
export type OnnxAttribute = number | string | number[];

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, OnnxAttribute>;
}

export interface OnnxTensorData {
  dims: number[];
  type: 'float32' | 'int64' | 'uint8';
  data: Float32Array | BigInt64Array | Uint8Array;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensorData>;
  inputs: string[];
  outputs: string[];
}

const DATA_TYPES: Record<number, OnnxTensorData['type']> = { 1: 'float32', 2: 'uint8', 7: 'int64' };

export function readOnnxModel(bytes: Uint8Array): OnnxGraph {
  const model = readFields(bytes);
  const graphField = model.find((f) => f.field === 7);
  if (!graphField?.bytes) throw new Error('ONNX model has no graph');
  const g = readFields(graphField.bytes);
  const initializers = new Map<string, OnnxTensorData>();
  for (const f of g.filter((x) => x.field === 5)) {
    const [name, t] = readTensor(readFields(f.bytes!));
    initializers.set(name, t);
  }
  const valueName = (f: ProtobufField) => decodeString(readFields(f.bytes!).find((x) => x.field === 1)?.bytes);
  return {
    name: decodeString(g.find((f) => f.field === 2)?.bytes),
    nodes: g.filter((f) => f.field === 1).map((f) => readNode(readFields(f.bytes!))),
    initializers,
    inputs: g
      .filter((f) => f.field === 11)
      .map(valueName)
      .filter((n) => !initializers.has(n)),
    outputs: g.filter((f) => f.field === 12).map(valueName),
  };
}

function readNode(fields: ProtobufField[]): OnnxNode {
  const attrs: Record<string, OnnxAttribute> = {};
  for (const f of fields.filter((x) => x.field === 5)) {
    const a = readFields(f.bytes!);
    const name = decodeString(a.find((x) => x.field === 1)?.bytes);
    const type = Number(a.find((x) => x.field === 20)?.varint ?? 0n);
    if (type === 1) attrs[name] = new DataView(a.find((x) => x.field === 2)!.bytes!.slice().buffer).getFloat32(0, true);
    else if (type === 2) attrs[name] = Number(BigInt.asIntN(64, a.find((x) => x.field === 3)?.varint ?? 0n));
    else if (type === 3) attrs[name] = decodeString(a.find((x) => x.field === 4)?.bytes);
    else if (type === 7) attrs[name] = readInts(a, 8);
    else throw new Error(`unsupported attribute type ${type} for ${name}`);
  }
  return {
    inputs: fields.filter((f) => f.field === 1).map((f) => decodeString(f.bytes)),
    outputs: fields.filter((f) => f.field === 2).map((f) => decodeString(f.bytes)),
    op: decodeString(fields.find((f) => f.field === 4)?.bytes),
    attrs,
  };
}

function readTensor(fields: ProtobufField[]): [string, OnnxTensorData] {
  const dims = readInts(fields, 1);
  const type = DATA_TYPES[Number(fields.find((f) => f.field === 2)?.varint ?? 0n)];
  if (!type) throw new Error('unsupported initializer data type');
  const name = decodeString(fields.find((f) => f.field === 8)?.bytes);
  const raw = fields.find((f) => f.field === 9)?.bytes;
  if (!raw) throw new Error(`initializer ${name} has no raw_data`);
  const copy = raw.slice();
  const data =
    type === 'float32'
      ? new Float32Array(copy.buffer, 0, copy.byteLength / 4)
      : type === 'int64'
        ? new BigInt64Array(copy.buffer, 0, copy.byteLength / 8)
        : copy;
  return [name, { dims, type, data }];
}
