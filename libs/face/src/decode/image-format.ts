/** Identifies an encoded image by its magic bytes, before any decoder sees it. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'jp2' | 'j2k';
export type OtherFormat = 'gif' | 'tiff' | 'bmp' | 'heif' | 'svg' | 'pdf';

export function sniffImageFormat(buf: Uint8Array): ImageFormat | OtherFormat | undefined {
  const at = (offset: number, ...bytes: number[]) => bytes.every((b, i) => buf[offset + i] === b);
  const ascii = (offset: number, s: string) => at(offset, ...Array.from(s, (c) => c.charCodeAt(0)));
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (at(0, 0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a)) return 'jp2';
  if (at(0, 0xff, 0x4f, 0xff, 0x51)) return 'j2k';
  if (ascii(0, 'GIF8')) return 'gif';
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (ascii(0, 'BM')) return 'bmp';
  if (ascii(4, 'ftyp')) return 'heif';
  if (ascii(0, '%PDF')) return 'pdf';
  const head = new TextDecoder().decode(buf.subarray(0, 256)).trimStart();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  return undefined;
}
