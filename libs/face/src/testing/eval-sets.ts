import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readFaceSet, type FacePhoto } from '../calibration/face-set.js';
import { extrasDir, facesDir } from './shared-faces.js';

/**
 * The evaluation photos in shared/: faces/ (13 people, 48 photos, mostly non-Asian) and
 * faces-extras/singles (19 one-photo people; the 7 its manifest marks East Asian form the group
 * "east-asian"), as one set with absolute paths.
 */
export function sharedEvalSet(): FacePhoto[] {
  const faces = readFaceSet(facesDir()).map((p) => ({ ...p, path: join(facesDir(), p.path), group: 'faces' }));
  const singlesDir = join(extrasDir(), 'singles');
  const eastAsian = new Set(
    readFileSync(join(singlesDir, 'manifest.csv'), 'utf8')
      .split(/\r?\n/)
      .slice(1)
      .filter((l) => /East Asian/i.test(l))
      .map((l) => l.split(',')[1]),
  );
  const singles = readFaceSet(singlesDir).map((p) => ({
    ...p,
    path: join(singlesDir, p.path),
    group: eastAsian.has(p.identity) ? 'east-asian' : 'other',
  }));
  return [...faces, ...singles];
}

/** The repository's own East Asian set (test/fixtures/faces-ea, from the project root). */
export const faceEaDir = (): string => resolve('test/fixtures/faces-ea');

/**
 * test/fixtures/faces-ea: 27 East Asian people, 30 photos (3 people with two photos, 24 with one),
 * from MIT / Apache-2.0 repositories (manifest.csv); its groups.csv puts everyone in "east-asian".
 */
export function faceEaSet(): FacePhoto[] {
  const dir = faceEaDir();
  return readFaceSet(dir).map((p) => ({ ...p, path: join(dir, p.path) }));
}

/** The set the shipped thresholds are calibrated on: shared/faces + singles + faces-ea. */
export function calibrationEvalSet(): FacePhoto[] {
  return [...sharedEvalSet(), ...faceEaSet()];
}

/** shared/faces-london: 71 consented sitters, two photos each, groups by self-reported ethnicity. */
export function londonEvalSet(): FacePhoto[] {
  const dir = join(extrasDir(), '..', 'faces-london');
  return readFaceSet(dir).map((p) => ({ ...p, path: join(dir, p.path) }));
}
