import sharp from 'sharp';
import { CAMERA_VIEW } from '../../../libs/contracts/src/index.js';
import type { Track } from '../vision/byte-tracker.js';
import type { CountingLineSpec } from '../vision/counting-line.js';
import type { RgbFrame } from './frame.js';

export interface ViewFrame {
  jpeg: Buffer;
  width: number;
  height: number;
  tracks: number;
}

/** JPEG qualities tried in turn until a frame fits `maxJpegBytes`. */
const QUALITIES = [70, 55, 40, 28, 18];

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * One frame for a live tile: downscaled to at most `maxSide` px, the counting lines (with the side
 * that counts as "in") and the tracked people (box + track id) drawn on it, as a JPEG of at most
 * `maxBytes` (the quality drops until it fits; null when even the lowest does not).
 */
export async function renderViewFrame(
  frame: RgbFrame,
  tracks: readonly Pick<Track, 'id' | 'box' | 'state'>[],
  lines: readonly CountingLineSpec[],
  o: { maxSide?: number; maxBytes?: number } = {},
): Promise<ViewFrame | null> {
  const maxSide = o.maxSide ?? CAMERA_VIEW.maxSide;
  const maxBytes = o.maxBytes ?? CAMERA_VIEW.maxJpegBytes;
  const scale = Math.min(1, maxSide / Math.max(frame.width, frame.height));
  const width = Math.max(1, Math.round(frame.width * scale));
  const height = Math.max(1, Math.round(frame.height * scale));
  const shown = tracks.filter((t) => t.state !== 'lost');
  // Drawn in output pixels so strokes and labels keep their size whatever the camera resolution.
  const px = (v: number) => (v * scale).toFixed(1);
  const font = Math.max(11, Math.round(height / 28));
  const parts: string[] = [];
  for (const l of lines) {
    parts.push(
      `<line x1="${px(l.from.x)}" y1="${px(l.from.y)}" x2="${px(l.to.x)}" y2="${px(l.to.y)}" stroke="#ffd400" stroke-width="3" stroke-dasharray="10 6"/>`,
    );
    parts.push(`<circle cx="${px(l.inside.x)}" cy="${px(l.inside.y)}" r="5" fill="#ffd400"/>`);
    parts.push(
      `<text x="${px(l.inside.x)}" y="${(l.inside.y * scale - 8).toFixed(1)}" fill="#ffd400" font-family="sans-serif" font-size="${font}" font-weight="bold" text-anchor="middle">IN</text>`,
    );
  }
  for (const t of shown) {
    const b = t.box;
    const color = t.state === 'tracked' ? '#3ddc97' : '#8b949e';
    const x = Math.max(0, b.x1 * scale);
    const y = Math.max(0, b.y1 * scale);
    const w = Math.max(1, (b.x2 - b.x1) * scale);
    const h = Math.max(1, (b.y2 - b.y1) * scale);
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    const label = esc(`#${t.id}`);
    const lw = font * 0.62 * label.length + 6;
    const ly = Math.max(0, y - font - 4);
    parts.push(`<rect x="${x.toFixed(1)}" y="${ly.toFixed(1)}" width="${lw.toFixed(1)}" height="${font + 4}" fill="${color}"/>`);
    parts.push(
      `<text x="${(x + 3).toFixed(1)}" y="${(ly + font).toFixed(1)}" fill="#0d1117" font-family="sans-serif" font-size="${font}" font-weight="bold">${label}</text>`,
    );
  }
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`);
  const base = await sharp(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength), {
    raw: { width: frame.width, height: frame.height, channels: 3 },
  })
    .resize(width, height)
    .composite([{ input: svg, top: 0, left: 0 }])
    .raw()
    .toBuffer({ resolveWithObject: true });
  for (const quality of QUALITIES) {
    const jpeg = await sharp(base.data, { raw: { width: base.info.width, height: base.info.height, channels: base.info.channels } })
      .jpeg({ quality, mozjpeg: false })
      .toBuffer();
    if (jpeg.length <= maxBytes) return { jpeg, width, height, tracks: shown.length };
  }
  return null;
}
