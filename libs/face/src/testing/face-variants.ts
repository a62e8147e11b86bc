import sharp from 'sharp';
import type { Box } from '../align/geometry.js';

/**
 * The framings a gate and a card produce, made from one real photo and its face box: the face
 * filling the frame (an ID-card chip photo), tight 150 px and 112 px crops, greyscale, a small face
 * in a 35-megapixel photo, and a photo stored sideways with an EXIF orientation tag.
 */
export type VariantKind = 'closeup' | 'crop150' | 'crop112' | 'grey' | 'small-in-35mp' | 'exif-rotated';
export const VARIANT_KINDS: readonly VariantKind[] = ['closeup', 'crop150', 'crop112', 'grey', 'small-in-35mp', 'exif-rotated'];

function around(box: Box, grow: number, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const side = Math.max(box.width, box.height) * grow;
  const cx = box.x + box.width / 2,
    cy = box.y + box.height / 2;
  const left = Math.max(0, Math.round(cx - side / 2));
  const top = Math.max(0, Math.round(cy - side / 2));
  return { left, top, width: Math.min(width - left, Math.round(side)), height: Math.min(height - top, Math.round(side)) };
}

export async function makeVariant(photo: Buffer, box: Box, kind: VariantKind): Promise<Buffer> {
  const img = sharp(photo).rotate();
  const { width = 0, height = 0 } = await sharp(photo)
    .rotate()
    .toBuffer({ resolveWithObject: true })
    .then((r) => r.info);
  switch (kind) {
    case 'closeup':
      return img
        .extract(around(box, 1.1, width, height))
        .jpeg({ quality: 90 })
        .toBuffer();
    case 'crop150':
      return img
        .extract(around(box, 1.25, width, height))
        .resize(150, 150, { fit: 'fill' })
        .jpeg({ quality: 90 })
        .toBuffer();
    case 'crop112':
      return img
        .extract(around(box, 1.25, width, height))
        .resize(112, 112, { fit: 'fill' })
        .jpeg({ quality: 90 })
        .toBuffer();
    case 'grey':
      return img.greyscale().jpeg({ quality: 90 }).toBuffer();
    case 'small-in-35mp': {
      // The face ~80 px wide at a fixed spot of a 7200×4860 frame.
      const region = around(box, 4, width, height);
      const small = await img
        .extract(region)
        .resize(Math.max(1, Math.round((region.width * 80) / box.width)))
        .jpeg({ quality: 92 })
        .toBuffer();
      return sharp({ create: { width: 7200, height: 4860, channels: 3, background: '#8a8f94' } })
        .composite([{ input: small, left: 4100, top: 2900 }])
        .jpeg({ quality: 85 })
        .toBuffer();
    }
    case 'exif-rotated':
      // Pixels stored turned 90° anticlockwise, tagged orientation 6 (display: turn 90° clockwise).
      return sharp(await img.rotate(-90).toBuffer())
        .withMetadata({ orientation: 6 })
        .jpeg({ quality: 90 })
        .toBuffer();
  }
}
