import { ProtobufWriter } from './protobuf-writer.js';

/**
 * Builds an ONNX ModelProto (opset 13) in memory. Used to turn weights that npm packages ship in
 * other formats (face-api's quantised TF.js weight shards) into ONNX graphs that onnxruntime runs.
 * Field numbers follow onnx/onnx.proto.
 */
export type AttributeValue = { i: number } | { f: number } | { s: string } | { ints: readonly number[] };

export interface Initializer {
  type: 'float32' | 'int64' | 'uint8';
  dims: readonly number[];
  data: Float32Array | BigInt64Array | Uint8Array;
}

interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttributeValue>;
}

const ELEM_TYPE = { float32: 1, uint8: 2, int64: 7 } as const;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

export class OnnxGraphBuilder {
  private readonly nodes: NodeDef[] = [];
  private readonly initializers = new Map<string, Initializer>();
  private readonly inputs: { name: string; dims: (number | string)[] }[] = [];
  private readonly outputs: { name: string; dims: (number | string)[] }[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, dims: (number | string)[]): string {
    this.inputs.push({ name, dims });
    return name;
  }

  output(name: string, dims: (number | string)[]): void {
    this.outputs.push({ name, dims });
  }

  constant(name: string, init: Initializer): string {
    if (this.initializers.has(name)) throw new Error(`duplicate initializer ${name}`);
    this.initializers.set(name, init);
    return name;
  }

  floatConstant(name: string, dims: readonly number[], data: Float32Array): string {
    return this.constant(name, { type: 'float32', dims, data });
  }

  int64Constant(name: string, values: readonly number[]): string {
    return this.constant(name, { type: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
  }

  /** Adds a node; returns its (single) output name. */
  node(op: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, output?: string): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  encode(): Uint8Array {
    const model = new ProtobufWriter();
    model.int(1, 7); // ir_version
    model.string(2, 'cong-ai');
    model.message(7, (g) => {
      for (const n of this.nodes) {
        g.message(1, (w) => {
          for (const i of n.inputs) w.string(1, i);
          for (const o of n.outputs) w.string(2, o);
          w.string(4, n.op);
          for (const [name, value] of Object.entries(n.attrs)) w.message(5, (a) => encodeAttribute(a, name, value));
        });
      }
      g.string(2, this.name);
      for (const [name, init] of this.initializers) g.message(5, (t) => encodeTensor(t, name, init));
      for (const v of this.inputs) g.message(11, (w) => encodeValueInfo(w, v.name, v.dims));
      for (const v of this.outputs) g.message(12, (w) => encodeValueInfo(w, v.name, v.dims));
    });
    model.message(8, (o) => {
      o.string(1, '');
      o.int(2, 13);
    });
    return model.finish();
  }
}

function encodeAttribute(a: ProtobufWriter, name: string, value: AttributeValue): void {
  a.string(1, name);
  if ('f' in value) {
    a.float(2, value.f);
    a.int(20, ATTR_FLOAT);
  } else if ('i' in value) {
    a.int(3, value.i);
    a.int(20, ATTR_INT);
  } else if ('s' in value) {
    a.string(4, value.s);
    a.int(20, ATTR_STRING);
  } else {
    a.packedInts(8, value.ints);
    a.int(20, ATTR_INTS);
  }
}

function encodeTensor(t: ProtobufWriter, name: string, init: Initializer): void {
  t.packedInts(1, init.dims);
  t.int(2, ELEM_TYPE[init.type]);
  t.string(8, name);
  const d = init.data;
  t.bytes(9, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
}

function encodeValueInfo(w: ProtobufWriter, name: string, dims: (number | string)[]): void {
  w.string(1, name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ELEM_TYPE.float32);
      tensor.message(2, (shape) => {
        for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}
