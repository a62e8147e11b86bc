import sharp from 'sharp';
import { ImageInputError } from './image-errors.js';
import { sniffImageFormat } from './image-format.js';
import { decodeJpeg2000 } from './jpeg2000.js';
import type { RgbImage } from './rgb-image.js';

export interface DecodeOptions {
  /**
   * Pixel budget of the decoded image: a larger photo (a 50 MP camera original) is scaled down to
   * it while decoding (JPEG shrink-on-load), not refused. JPEG 2000 (card photos) is refused above it.
   */
  maxPixels?: number;
  /** Refuse, from the header and before decoding, images claiming more pixels than this (decompression bombs). */
  refusePixels?: number;
}

export const DEFAULT_MAX_PIXELS = 40_000_000;
export const DEFAULT_REFUSE_PIXELS = 300_000_000;

/**
 * Decodes JPEG, PNG, WebP (sharp/libvips) and JPEG 2000 (OpenJPEG wasm) to RGB, applying EXIF
 * orientation. Every failure is an ImageInputError with a code; nothing else escapes.
 */
export async function decodeImage(input: Uint8Array, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const refusePixels = Math.max(maxPixels, options.refusePixels ?? DEFAULT_REFUSE_PIXELS);
  if (!(input instanceof Uint8Array)) throw new ImageInputError('not-an-image', 'image input must be a Buffer or Uint8Array');
  if (input.length === 0) throw new ImageInputError('empty', 'image buffer is empty');
  const format = sniffImageFormat(input);
  if (format === undefined)
    throw new ImageInputError('not-an-image', 'data is not a recognised image (no JPEG/PNG/WebP/JPEG 2000 signature)');
  if (format === 'jp2' || format === 'j2k') return decodeJpeg2000(input, { maxPixels });
  if (format !== 'jpeg' && format !== 'png' && format !== 'webp') {
    throw new ImageInputError('unsupported-format', `${format.toUpperCase()} images are not accepted; send JPEG, PNG, WebP or JPEG 2000`);
  }
  try {
    const img = sharp(input, { limitInputPixels: refusePixels, failOn: 'truncated', sequentialRead: true });
    const meta = await img.metadata();
    if (meta.format !== format && !(format === 'jpeg' && meta.format === 'jpeg')) {
      throw new ImageInputError('corrupt', `image signature says ${format} but the decoder sees ${meta.format}`);
    }
    if (!meta.width || !meta.height) throw new ImageInputError('corrupt', 'image header has no dimensions');
    if (meta.width * meta.height > refusePixels) {
      throw new ImageInputError('too-large', `image ${meta.width}×${meta.height} exceeds the ${refusePixels}-pixel limit`);
    }
    img.rotate();
    if (meta.width * meta.height > maxPixels) {
      const f = Math.sqrt(maxPixels / (meta.width * meta.height));
      const turned = (meta.orientation ?? 1) >= 5;
      const [w, h] = turned ? [meta.height, meta.width] : [meta.width, meta.height];
      img.resize({ width: Math.max(1, Math.floor(w * f)), height: Math.max(1, Math.floor(h * f)), fit: 'inside' });
    }
    const { data, info } = await img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new ImageInputError('corrupt', `decoder produced ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    if (err instanceof ImageInputError) throw err;
    const message = (err as Error).message ?? String(err);
    if (/pixel limit/i.test(message))
      throw new ImageInputError('too-large', `image exceeds the ${refusePixels}-pixel limit`, { cause: err });
    if (looksTruncated(input, format) || /premature end|truncat|unexpected end|not enough data|short read/i.test(message)) {
      throw new ImageInputError('truncated', `${format.toUpperCase()} data is truncated: ${message}`, { cause: err });
    }
    throw new ImageInputError('corrupt', `${format.toUpperCase()} data is corrupt: ${message}`, { cause: err });
  }
}

/** A PNG without its IEND chunk, a JPEG without EOI near its end, a WebP shorter than its RIFF size. */
function looksTruncated(buf: Uint8Array, format: 'jpeg' | 'png' | 'webp'): boolean {
  if (format === 'png') return !Buffer.from(buf.subarray(Math.max(0, buf.length - 12))).includes('IEND');
  if (format === 'webp') return buf.length < 8 || new DataView(buf.buffer, buf.byteOffset).getUint32(4, true) + 8 > buf.length;
  const tail = buf.subarray(Math.max(0, buf.length - 1024));
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return false;
  return true;
}
