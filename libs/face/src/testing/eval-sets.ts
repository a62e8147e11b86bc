import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const singles = readFaceSet(singlesDir).map((p) => ({ ...p, path: join(singlesDir, p.path), group: eastAsian.has(p.identity) ? 'east-asian' : 'other' }));
  return [...faces, ...singles];
}
