import { createRequire } from 'node:module';
import { ImageInputError } from './image-errors.js';
import type { RgbImage } from './rgb-image.js';

/**
 * JPEG 2000 decoding (JP2 file or raw J2K codestream), as found in the DG2 face photo of a CCCD
 * chip (ISO/IEC 19794-5 allows JPEG and JPEG 2000). Uses OpenJPEG compiled to WebAssembly
 * (@cornerstonejs/codec-openjpeg, OpenJPEG BSD-2 / package MIT); no native build, no download.
 */
interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}
interface J2KDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  delete?(): void;
}
interface OpenJpegModule {
  J2KDecoder: new () => J2KDecoder;
}

let modulePromise: Promise<OpenJpegModule> | undefined;

function openjpeg(): Promise<OpenJpegModule> {
  modulePromise ??= (() => {
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg/decodewasmjs') as (opts: object) => Promise<OpenJpegModule>;
    return factory({ print: () => undefined, printErr: () => undefined });
  })();
  return modulePromise;
}

/** The contiguous codestream of a JP2 file ('jp2c' box), or the input if it already is one. */
export function jpeg2000Codestream(buf: Uint8Array): Uint8Array {
  if (buf[0] === 0xff && buf[1] === 0x4f) return buf;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  while (pos + 8 <= buf.length) {
    let len = dv.getUint32(pos);
    const type = String.fromCharCode(buf[pos + 4], buf[pos + 5], buf[pos + 6], buf[pos + 7]);
    let header = 8;
    if (len === 1) {
      if (pos + 16 > buf.length) break;
      len = Number(dv.getBigUint64(pos + 8));
      header = 16;
    } else if (len === 0) len = buf.length - pos;
    if (len < header) throw new ImageInputError('corrupt', `JPEG 2000 box ${type} has invalid length ${len}`);
    if (type === 'jp2c') {
      if (pos + len > buf.length) throw new ImageInputError('truncated', 'JPEG 2000 codestream box runs past the end of the data');
      return buf.subarray(pos + header, pos + len);
    }
    pos += len;
  }
  throw new ImageInputError('truncated', 'JPEG 2000 file has no complete codestream (jp2c) box');
}

/** Image size from the SIZ marker, read before decoding so oversized images are refused cheaply. */
export function jpeg2000Size(codestream: Uint8Array): { width: number; height: number; components: number } {
  if (codestream.length < 42 || codestream[2] !== 0xff || codestream[3] !== 0x51) {
    throw new ImageInputError('corrupt', 'JPEG 2000 codestream does not start with SOC + SIZ markers');
  }
  const dv = new DataView(codestream.buffer, codestream.byteOffset, codestream.byteLength);
  const xsiz = dv.getUint32(8);
  const ysiz = dv.getUint32(12);
  const xo = dv.getUint32(16);
  const yo = dv.getUint32(20);
  const components = dv.getUint16(40);
  return { width: xsiz - xo, height: ysiz - yo, components };
}

export interface Jpeg2000Options {
  /** Refuse images with more pixels than this (decompression bombs). Default 40 MP. */
  maxPixels?: number;
}

/** Decodes JPEG 2000 (JP2 or J2K) to 8-bit RGB; greyscale is expanded, >8-bit samples scaled. */
export async function decodeJpeg2000(buf: Uint8Array, options: Jpeg2000Options = {}): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? 40_000_000;
  const codestream = jpeg2000Codestream(buf);
  const size = jpeg2000Size(codestream);
  if (size.width <= 0 || size.height <= 0)
    throw new ImageInputError('corrupt', `JPEG 2000 image has invalid size ${size.width}×${size.height}`);
  if (size.width * size.height > maxPixels) {
    throw new ImageInputError('too-large', `JPEG 2000 image ${size.width}×${size.height} exceeds the ${maxPixels}-pixel limit`);
  }
  const m = await openjpeg();
  const decoder = new m.J2KDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    try {
      decoder.decode();
    } catch (err) {
      throw new ImageInputError('corrupt', `JPEG 2000 data could not be decoded: ${String((err as Error)?.message ?? err)}`, {
        cause: err,
      });
    }
    const info = decoder.getFrameInfo();
    const raw = decoder.getDecodedBuffer();
    const { width, height, componentCount: c, bitsPerSample: bits } = info;
    const bytesPerSample = bits > 8 ? 2 : 1;
    if (width * height * c * bytesPerSample !== raw.length || (c !== 1 && c !== 3 && c !== 4)) {
      throw new ImageInputError('corrupt', `JPEG 2000 decoder returned ${raw.length} bytes for ${width}×${height}×${c}`);
    }
    const samples = bytesPerSample === 2 ? new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2) : raw;
    const shift = Math.max(0, bits - 8);
    const data = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++) {
      for (let ch = 0; ch < 3; ch++) data[p * 3 + ch] = samples[p * c + (c === 1 ? 0 : ch)] >> shift;
    }
    return { width, height, data };
  } finally {
    decoder.delete?.();
  }
}
