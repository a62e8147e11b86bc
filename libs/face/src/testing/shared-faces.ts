import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Locates the read-only face photos in shared/ (CG_SHARED_DIR, default ../shared from the repo root). */
export const sharedDir = (): string => resolve(process.env.CG_SHARED_DIR ?? '../shared');
export const facesDir = (): string => join(sharedDir(), 'faces');
export const extrasDir = (): string => join(sharedDir(), 'faces-extras');

/** Every `<identity>/<n>.jpg` of faces/, as paths relative to faces/. */
export function singleFacePhotos(): string[] {
  const dir = facesDir();
  return readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .sort()
    .flatMap((id) =>
      readdirSync(join(dir, id))
        .filter((f) => f.endsWith('.jpg'))
        .sort()
        .map((f) => `${id}/${f}`),
    );
}

export function readFace(relative: string): Buffer {
  return readFileSync(join(facesDir(), relative));
}

export function readExtra(relative: string): Buffer {
  return readFileSync(join(extrasDir(), relative));
}
