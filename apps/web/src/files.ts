import { tp } from './i18n.js';

/** The hub takes a photo of at most 8 000 000 base64 characters: 6 000 000 bytes. */
export const MAX_PHOTO_BYTES = 6_000_000;
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/** Why a photo cannot be sent (too large, not a picture), in the viewer's language; null when it can. */
export function photoProblem(f: Blob & { name?: string }): string | null {
  const name = f.name ?? '';
  if (f.type && !PHOTO_TYPES.has(f.type)) return tp('err_photo_type', { name });
  if (!f.type && !/\.(jpe?g|png|webp)$/i.test(name)) return tp('err_photo_type', { name });
  if (f.size > MAX_PHOTO_BYTES) return tp('err_photo_too_big', { name, size: (f.size / 1e6).toFixed(1), max: MAX_PHOTO_BYTES / 1e6 });
  return null;
}

/**
 * A File as base64 (no data: prefix), for the JSON bodies the hub takes photos in. Size and type are
 * checked first, in the browser: a 20 MB photo is refused at once instead of after its upload.
 */
export function fileToBase64(f: Blob): Promise<string> {
  const problem = photoProblem(f);
  if (problem) return Promise.reject(new Error(problem));
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(f);
  });
}
