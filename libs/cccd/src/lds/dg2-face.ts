// DG2: facial image in an ISO/IEC 19794-5 record inside a CBEFF biometric information template
// (ICAO 9303-10 §4.7.2). Returns the image bytes and format; decoding (JPEG 2000) is libs/face's job.
import { z } from 'zod';
import { CccdError } from '../errors.js';
import { concat, decodeTlv, tlv, type Tlv } from '../tlv/ber-tlv.js';

export const FaceImageSchema = z.object({
  format: z.enum(['jpeg', 'jp2', 'j2k']),
  mime: z.enum(['image/jpeg', 'image/jp2', 'image/j2k']),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  bytes: z.instanceof(Uint8Array),
});
export type FaceImage = z.infer<typeof FaceImageSchema>;

function findBiometricData(t: Tlv, depth = 0): Tlv | undefined {
  if (t.tag === 0x5f2e || t.tag === 0x7f2e) return t;
  if (depth > 6) return undefined;
  for (const c of t.children) {
    const f = findBiometricData(c, depth + 1);
    if (f) return f;
  }
  return undefined;
}

function sniff(b: Uint8Array): FaceImage['format'] | undefined {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length > 12 && b[3] === 0x0c && b[4] === 0x6a && b[5] === 0x50 && b[6] === 0x20 && b[7] === 0x20) return 'jp2';
  if (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) return 'j2k';
  return undefined;
}

const MIME = { jpeg: 'image/jpeg', jp2: 'image/jp2', j2k: 'image/j2k' } as const;

export function parseDg2(bytes: Uint8Array): FaceImage {
  const t = decodeTlv(bytes);
  if (t.tag !== 0x75) throw new CccdError('DG_MALFORMED', 'DG2 does not start with tag 75');
  const bdb = findBiometricData(t);
  if (!bdb) throw new CccdError('DG_MALFORMED', 'DG2 has no biometric data block (5F2E)');
  const r = bdb.value;
  const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
  if (r.length < 14 + 32 || Buffer.from(r.subarray(0, 4)).toString('latin1') !== 'FAC\0') {
    throw new CccdError('DG_MALFORMED', 'DG2 biometric data is not an ISO 19794-5 facial record');
  }
  const recordLength = dv.getUint32(8);
  if (recordLength > r.length) throw new CccdError('DG_MALFORMED', 'facial record length exceeds the data block');
  if (dv.getUint16(12) < 1) throw new CccdError('DG_MALFORMED', 'facial record holds no image');
  const blockStart = 14;
  const blockLength = dv.getUint32(blockStart);
  const featurePoints = dv.getUint16(blockStart + 4);
  const imageInfo = blockStart + 20 + featurePoints * 8;
  const dataStart = imageInfo + 12;
  const dataEnd = blockStart + blockLength;
  if (dataStart > r.length || dataEnd > r.length || dataEnd <= dataStart) {
    throw new CccdError('DG_MALFORMED', 'facial information block lengths are inconsistent');
  }
  const imageDataType = r[imageInfo + 1];
  const img = r.subarray(dataStart, dataEnd);
  const format = sniff(img);
  if (!format) throw new CccdError('DG_MALFORMED', 'facial image is neither JPEG nor JPEG 2000');
  if ((imageDataType === 0 && format !== 'jpeg') || (imageDataType === 1 && format === 'jpeg')) {
    throw new CccdError('DG_MALFORMED', `image data type ${imageDataType} does not match ${format} content`);
  }
  return {
    format,
    mime: MIME[format],
    width: dv.getUint16(imageInfo + 2),
    height: dv.getUint16(imageInfo + 4),
    bytes: Uint8Array.from(img),
  };
}

export function buildDg2(image: Uint8Array, width: number, height: number, format: 'jpeg' | 'jp2' = 'jpeg'): Uint8Array {
  const facialInfo = new Uint8Array(20);
  const fi = new DataView(facialInfo.buffer);
  const imageInfo = new Uint8Array(12);
  const ii = new DataView(imageInfo.buffer);
  fi.setUint32(0, 20 + 12 + image.length);
  fi.setUint16(4, 0); // feature points
  facialInfo[6] = 0; // gender unspecified
  ii.setUint8(0, 1); // full frontal
  ii.setUint8(1, format === 'jpeg' ? 0 : 1);
  ii.setUint16(2, width);
  ii.setUint16(4, height);
  ii.setUint8(6, 1); // 24-bit RGB
  ii.setUint8(7, 2); // digital still camera
  const header = new Uint8Array(14);
  header.set(new TextEncoder().encode('FAC\x00010\x00'));
  const hv = new DataView(header.buffer);
  hv.setUint32(8, 14 + 20 + 12 + image.length);
  hv.setUint16(12, 1);
  const record = concat(header, facialInfo, imageInfo, image);
  const bht = tlv(
    0xa1,
    tlv(0x80, Uint8Array.of(1, 1)),
    tlv(0x81, Uint8Array.of(2)),
    tlv(0x87, Uint8Array.of(1, 1)),
    tlv(0x88, Uint8Array.of(0, 8)),
  );
  return tlv(0x75, tlv(0x7f61, tlv(0x02, Uint8Array.of(1)), tlv(0x7f60, bht, tlv(0x5f2e, record))));
}
