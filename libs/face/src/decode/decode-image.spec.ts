import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { readFace } from '../testing/shared-faces.js';
import { encodeJ2k, wrapJp2 } from '../testing/jpeg2000-fixture.js';
import { decodeImage } from './decode-image.js';
import { ImageInputError, type ImageInputErrorCode } from './image-errors.js';
import { decodeJpeg2000 } from './jpeg2000.js';
import { assertRgbImage } from './rgb-image.js';

async function rejects(input: Uint8Array, code: ImageInputErrorCode, opts?: { maxPixels?: number; refusePixels?: number }): Promise<void> {
  await assert.rejects(decodeImage(input, opts), (err: unknown) => {
    assert.ok(err instanceof ImageInputError, `expected ImageInputError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.ok(err.message.length > 10);
    return true;
  });
}

/** A valid PNG whose IHDR claims width×height (CRC fixed), to stand in for a decompression bomb. */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

describe('decodeImage', () => {
  const jpeg = readFace('fr_obama/1.jpg');

  it('decodes JPEG, PNG and WebP to the same RGB size', async () => {
    const fromJpeg = await decodeImage(jpeg);
    assert.equal(fromJpeg.data.length, fromJpeg.width * fromJpeg.height * 3);
    for (const encoded of [await sharp(jpeg).png().toBuffer(), await sharp(jpeg).webp().toBuffer()]) {
      const img = await decodeImage(encoded);
      assert.deepEqual([img.width, img.height], [fromJpeg.width, fromJpeg.height]);
    }
  });

  it('expands greyscale and drops alpha', async () => {
    const grey = await sharp(jpeg).greyscale().png().toBuffer();
    const rgba = await sharp(jpeg).ensureAlpha().png().toBuffer();
    for (const b of [grey, rgba]) {
      const img = await decodeImage(b);
      assert.equal(img.data.length, img.width * img.height * 3);
    }
  });

  it('applies EXIF orientation', async () => {
    const rotated = await sharp(jpeg).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const plain = await decodeImage(jpeg);
    const img = await decodeImage(rotated);
    assert.deepEqual([img.width, img.height], [plain.height, plain.width]);
  });

  it('rejects an empty buffer', () => rejects(new Uint8Array(0), 'empty'));
  it('rejects text that is not an image', () => rejects(Buffer.from('{"hello":"world"} this is not a picture'), 'not-an-image'));
  it('rejects random bytes', () =>
    rejects(
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251),
      'not-an-image',
    ));
  it('rejects a truncated JPEG', () => rejects(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'truncated'));
  it('rejects a JPEG with a bogus marker segment', () =>
    rejects(
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x02]), Buffer.alloc(2000, 0x5a), Buffer.from([0xff, 0xd9])]),
      'corrupt',
    ));
  it('rejects a truncated WebP', async () => {
    const webp = await sharp(jpeg).webp().toBuffer();
    await rejects(webp.subarray(0, Math.floor(webp.length / 2)), 'truncated');
  });
  it('rejects a truncated PNG', async () => {
    const png = await sharp(jpeg).png().toBuffer();
    await rejects(png.subarray(0, Math.floor(png.length / 3)), 'truncated');
  });
  it('rejects GIF, TIFF and BMP as unsupported formats', async () => {
    await rejects(await sharp(jpeg).resize(64).gif().toBuffer(), 'unsupported-format');
    await rejects(await sharp(jpeg).resize(64).tiff().toBuffer(), 'unsupported-format');
    await rejects(Buffer.concat([Buffer.from('BM'), Buffer.alloc(100)]), 'unsupported-format');
  });
  it('refuses a decompression bomb from its header, before decoding', async () => {
    await rejects(await pngClaiming(60000, 60000), 'too-large');
    await rejects(jpeg, 'too-large', { maxPixels: 1000, refusePixels: 1000 });
  });
  it('scales a photo above the pixel budget down to it instead of refusing it, keeping its aspect and EXIF turn', async () => {
    const meta = await sharp(jpeg).metadata();
    const img = await decodeImage(jpeg, { maxPixels: 10_000 });
    assert.ok(img.width * img.height <= 10_000 && img.width * img.height > 8_000, `${img.width}×${img.height}`);
    assert.ok(Math.abs(img.width / img.height - meta.width! / meta.height!) < 0.05);
    const turned = await sharp(jpeg).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const t = await decodeImage(turned, { maxPixels: 10_000 });
    assert.deepEqual([t.width, t.height], [img.height, img.width]);
  });
  it('rejects a raw frame whose size does not match its data', () => {
    assert.throws(() => assertRgbImage({ width: 10, height: 10, data: new Uint8Array(299) }, 1e6), { name: 'ImageInputError' });
    assert.throws(() => assertRgbImage({ width: 0, height: 10, data: new Uint8Array(0) }, 1e6), { name: 'ImageInputError' });
    assert.throws(() => assertRgbImage({ width: 5000, height: 5000, data: new Uint8Array(3) }, 1e6), /pixel limit/);
  });
});

describe('JPEG 2000 (CCCD DG2 photo)', () => {
  it('decodes a JP2 file and a raw codestream to the original pixels', async () => {
    const src = await decodeImage(await sharp(readFace('fr_obama/1.jpg')).resize(180).jpeg().toBuffer());
    const j2k = await encodeJ2k(src, 4);
    for (const encoded of [j2k, wrapJp2(j2k, src.width, src.height)]) {
      const img = await decodeImage(encoded);
      assert.deepEqual([img.width, img.height], [src.width, src.height]);
      let err = 0;
      for (let i = 0; i < img.data.length; i++) err += Math.abs(img.data[i] - src.data[i]);
      assert.ok(err / img.data.length < 6, `mean abs error ${err / img.data.length}`);
    }
  });

  it('rejects truncated and corrupt JPEG 2000 with typed errors', async () => {
    const src = await decodeImage(await sharp(readFace('df01/1.jpg')).resize(64).jpeg().toBuffer());
    const jp2 = wrapJp2(await encodeJ2k(src), src.width, src.height);
    await rejects(jp2.subarray(0, 60), 'truncated');
    const corrupt = Uint8Array.from(jp2);
    corrupt.fill(0xff, corrupt.length - Math.floor(corrupt.length / 2));
    await assert.rejects(decodeImage(corrupt), (e: unknown) => e instanceof ImageInputError);
  });

  it('refuses an oversized JPEG 2000 from its SIZ marker', async () => {
    const src = await decodeImage(await sharp(readFace('df01/1.jpg')).resize(64).jpeg().toBuffer());
    const j2k = Uint8Array.from(await encodeJ2k(src));
    const dv = new DataView(j2k.buffer);
    dv.setUint32(8, 100000);
    dv.setUint32(12, 100000);
    await assert.rejects(decodeJpeg2000(j2k), { name: 'ImageInputError', code: 'too-large' } as object);
  });
});
