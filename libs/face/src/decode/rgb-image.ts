import { ImageInputError } from './image-errors.js';

/** Packed 8-bit RGB pixels, row-major, 3 bytes a pixel: the pipeline's one image type. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Validates a raw frame handed in directly (e.g. from the camera decoder). */
export function assertRgbImage(img: RgbImage, maxPixels: number): void {
  const ok = Number.isInteger(img.width) && Number.isInteger(img.height) && img.width > 0 && img.height > 0;
  if (!ok) throw new ImageInputError('invalid-frame', `raw frame has invalid dimensions ${img.width}×${img.height}`);
  if (img.width * img.height > maxPixels) {
    throw new ImageInputError('too-large', `raw frame ${img.width}×${img.height} exceeds the ${maxPixels}-pixel limit`);
  }
  if (!(img.data instanceof Uint8Array) || img.data.length !== img.width * img.height * 3) {
    throw new ImageInputError(
      'invalid-frame',
      `raw frame data must be ${img.width * img.height * 3} bytes of RGB, got ${img.data?.length}`,
    );
  }
}
