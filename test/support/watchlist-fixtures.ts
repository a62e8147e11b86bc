import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { stringify } from 'yaml';
import type { SitesConfig } from '../../libs/contracts/src/index.js';

export const sharedDir = () => resolve(process.env.CG_SHARED_DIR ?? '../shared');
export const facePhoto = (rel: string): Buffer => readFileSync(join(sharedDir(), 'faces', rel));
export const multiFacePhoto = (name = 'fr_obama_and_biden.jpg'): Buffer =>
  readFileSync(join(sharedDir(), 'faces-extras', 'multi_face', name));
/** A photo of nothing: a grey gradient, no face. */
export const noFacePhoto = (): Promise<Buffer> =>
  sharp({ create: { width: 480, height: 360, channels: 3, background: { r: 120, g: 130, b: 140 } } })
    .jpeg()
    .toBuffer();

/** Two sites (A and B) with two gates each, in a fresh temp dir. */
export function twoSites(prefix = 'w') {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const a = `${prefix}a-${tag}`;
  const b = `${prefix}b-${tag}`;
  const dir = mkdtempSync(join(tmpdir(), 'cg-wl-'));
  const site = (id: string) => ({
    id,
    name: `Site ${id}`,
    kind: 'industrial' as const,
    zones: [{ id: 'z1', name: 'Zone 1' }],
    gates: [
      { id: 'g1', zone: 'z1', name: 'Gate 1' },
      { id: 'g2', zone: 'z1', name: 'Gate 2' },
    ],
  });
  const sites: SitesConfig = { sites: [site(a), site(b)] } as SitesConfig;
  const sitesFile = join(dir, 'sites.yaml');
  writeFileSync(sitesFile, stringify(sites));
  return { a, b, dir, sitesFile };
}
