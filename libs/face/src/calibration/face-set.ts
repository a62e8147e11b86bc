import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * A folder of a site's (or a test set's) faces: `<identity>/<photo>` for people with several
 * photos, and loose `<photo>` files at the top level for people with one (impostor scores only).
 * An optional `groups.csv` (`identity,group`) names each identity's group (e.g. "east-asian") so
 * rates are reported per group; identities it does not name are in group "unspecified".
 */
export interface FacePhoto {
  /** Path relative to the set's folder. */
  path: string;
  identity: string;
  group: string;
}

const IMAGE = /\.(jpe?g|png|webp|jp2|j2k)$/i;
export const UNSPECIFIED_GROUP = 'unspecified';

export function readFaceSet(dir: string): FacePhoto[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`face set ${dir} is not a folder`);
  const groups = readGroups(dir);
  const photos: FacePhoto[] = [];
  const groupOf = (identity: string) => groups.get(identity) ?? UNSPECIFIED_GROUP;
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      for (const f of readdirSync(full).sort())
        if (IMAGE.test(f)) photos.push({ path: `${name}/${f}`, identity: name, group: groupOf(name) });
    } else if (IMAGE.test(name)) {
      const identity = basename(name).replace(IMAGE, '');
      photos.push({ path: name, identity, group: groupOf(identity) });
    }
  }
  if (photos.length === 0) throw new Error(`face set ${dir} has no photos (expected <identity>/<photo>.jpg)`);
  return photos;
}

/** groups.csv: a header `identity,group` then one line per identity. */
export function readGroups(dir: string, file = join(dir, 'groups.csv')): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(file)) return out;
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const cols = (lines.shift() ?? '').split(',').map((c) => c.trim().toLowerCase());
  const ii = cols.indexOf('identity'),
    ig = cols.indexOf('group');
  if (ii < 0 || ig < 0) throw new Error(`${file} needs the columns identity,group`);
  lines.forEach((line, n) => {
    const c = line.split(',').map((x) => x.trim());
    if (!c[ii] || !c[ig]) throw new Error(`${file} line ${n + 2}: identity and group must not be empty`);
    // One spelling per group across sets: "East_Asian", "east-asian" → "east-asian".
    out.set(c[ii], c[ig].toLowerCase().replace(/[_\s]+/g, '-'));
  });
  return out;
}
