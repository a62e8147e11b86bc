import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ManifestEntry {
  id: string;
  dir: string;
  files: { path: string; sha256: string }[];
}

/** Repository root, from this module's place in src or dist. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'models', 'person-manifest.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('models/person-manifest.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/**
 * Path of a person model's graph (model.json) from models/person-manifest.json, checked against
 * its sha256 once per process. Throws a clear error when `npm run setup:models` has not run.
 */
export function personModelPath(id = 'person-movenet-multipose'): string {
  const root = repoRoot();
  const manifest = JSON.parse(readFileSync(join(root, 'models/person-manifest.json'), 'utf8')) as { models: ManifestEntry[] };
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) throw new Error(`person model ${id} is not in models/person-manifest.json`);
  const dir = resolve(root, entry.dir);
  for (const f of entry.files) {
    const p = join(dir, f.path);
    if (!existsSync(p)) throw new Error(`person model file ${p} is missing: run \`npm run setup:models\``);
    if (!verified.has(p)) {
      const sum = createHash('sha256').update(readFileSync(p)).digest('hex');
      if (sum !== f.sha256) throw new Error(`person model file ${p} has sha256 ${sum}, expected ${f.sha256}: run \`npm run setup:models\``);
      verified.add(p);
    }
  }
  return join(dir, entry.files.find((f) => f.path.endsWith('.json'))!.path);
}

const verified = new Set<string>();
