// Locates the shared read-only face photos (`../shared/faces` beside the repository) used as DG2.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function facesDir(): string {
  const fromEnv = process.env.CCCD_FACES_DIR;
  if (fromEnv) return fromEnv;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = resolve(dir, '..', 'shared', 'faces');
    if (existsSync(candidate)) return candidate;
    dir = resolve(dir, '..');
  }
  throw new Error('shared/faces not found beside the repository (set CCCD_FACES_DIR)');
}

/** Path of one real face photo (first JPEG of the first person directory). */
export function sampleFacePath(person?: string): string {
  const root = facesDir();
  const who = person ?? readdirSync(root).sort()[0]!;
  const file = readdirSync(join(root, who))
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()[0];
  if (!file) throw new Error(`no JPEG in ${join(root, who)}`);
  return join(root, who, file);
}
