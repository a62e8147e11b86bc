/** Minimal protocol-buffers wire-format reader (the counterpart of ProtobufWriter). */
export interface ProtobufField {
  field: number;
  wireType: number;
  /** Varint value (wire type 0) as bigint. */
  varint?: bigint;
  /** Bytes of a length-delimited (2) or fixed (1, 5) field. */
  bytes?: Uint8Array;
}

export function readFields(buf: Uint8Array): ProtobufField[] {
  const fields: ProtobufField[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const byte = buf[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('varint too long');
    }
  };
  while (pos < buf.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wireType = key & 7;
    if (wireType === 0) fields.push({ field, wireType, varint: readVarint() });
    else if (wireType === 2) {
      const len = Number(readVarint());
      if (pos + len > buf.length) throw new Error('truncated length-delimited field');
      fields.push({ field, wireType, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wireType === 5 || wireType === 1) {
      const len = wireType === 5 ? 4 : 8;
      if (pos + len > buf.length) throw new Error('truncated fixed field');
      fields.push({ field, wireType, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`unsupported wire type ${wireType}`);
  }
  return fields;
}

export function decodeString(bytes: Uint8Array | undefined): string {
  return new TextDecoder().decode(bytes ?? new Uint8Array());
}

/** Repeated int64 that may be packed (wire type 2) or not (wire type 0). */
export function readInts(fields: ProtobufField[], field: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wireType === 0) out.push(Number(BigInt.asIntN(64, f.varint!)));
    else if (f.wireType === 2) {
      for (const inner of readPackedVarints(f.bytes!)) out.push(Number(BigInt.asIntN(64, inner)));
    }
  }
  return out;
}

function readPackedVarints(bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
    }
    out.push(result);
  }
  return out;
}
