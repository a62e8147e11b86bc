import { createRequire } from 'node:module';
import type { RgbImage } from '../decode/rgb-image.js';

/**
 * Encodes RGB pixels as JPEG 2000 (OpenJPEG wasm encoder) for tests, as a raw codestream or wrapped
 * in a minimal JP2 file — the form a CCCD chip's DG2 usually carries.
 */
interface Encoder {
  getDecodedBuffer(info: object): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  setQuality(lossless: boolean, quality: number): void;
  setCompressionRatio(layer: number, ratio: number): void;
  encode(): void;
  delete?(): void;
}

export async function encodeJ2k(img: RgbImage, compressionRatio = 10): Promise<Uint8Array> {
  const require = createRequire(import.meta.url);
  const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (o: object) => Promise<{ J2KEncoder: new () => Encoder }>;
  const m = await factory({ print: () => undefined, printErr: () => undefined });
  const enc = new m.J2KEncoder();
  enc
    .getDecodedBuffer({
      width: img.width,
      height: img.height,
      bitsPerSample: 8,
      componentCount: 3,
      isSigned: false,
      isUsingColorTransform: true,
    })
    .set(img.data);
  enc.setQuality(false, 0);
  enc.setCompressionRatio(0, compressionRatio);
  enc.encode();
  const out = enc.getEncodedBuffer().slice();
  enc.delete?.();
  return out;
}

function box(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(
    Array.from(type, (c) => c.charCodeAt(0)),
    4,
  );
  out.set(payload, 8);
  return out;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export function wrapJp2(codestream: Uint8Array, width: number, height: number): Uint8Array {
  const signature = box('jP  ', Uint8Array.from([0x0d, 0x0a, 0x87, 0x0a]));
  const ftyp = box('ftyp', concat(new TextEncoder().encode('jp2 '), new Uint8Array(4), new TextEncoder().encode('jp2 ')));
  const ihdr = new Uint8Array(14);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, height);
  dv.setUint32(4, width);
  dv.setUint16(8, 3);
  ihdr[10] = 7; // 8 bits per component, unsigned
  ihdr[11] = 7; // compression type: JPEG 2000
  const colr = Uint8Array.from([1, 0, 0, 0, 0, 0, 16]); // enumerated colour space: sRGB
  const jp2h = box('jp2h', concat(box('ihdr', ihdr), box('colr', colr)));
  return concat(signature, ftyp, jp2h, box('jp2c', codestream));
}
