// Finds and decodes a QR code in an image file/buffer (via sharp) or a raw RGBA camera frame (jsQR).
import jsQRModule from 'jsqr';
import sharp from 'sharp';
import { CccdError } from '../errors.js';

// jsqr is CommonJS with a `default` property in its typings; resolve the callable either way.
type JsQr = typeof jsQRModule.default;
const jsQR: JsQr = (jsQRModule as unknown as { default?: JsQr }).default ?? (jsQRModule as unknown as JsQr);

export function decodeQrFromRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): string {
  const data = rgba instanceof Uint8ClampedArray ? rgba : new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const code = jsQR(data, width, height, { inversionAttempts: 'attemptBoth' });
  if (!code) throw new CccdError('QR_INVALID', 'no QR code found in the image');
  // jsQR returns byte-mode payloads as Latin-1-ish text; CCCD QRs are UTF-8, so decode from the bytes.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(code.binaryData));
  } catch {
    return code.data;
  }
}

export async function decodeQrFromImage(image: Uint8Array | string): Promise<string> {
  const { data, info } = await sharp(typeof image === 'string' ? image : Buffer.from(image))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return decodeQrFromRgba(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height);
}
