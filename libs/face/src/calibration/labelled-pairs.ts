import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * A labelled face set: `<dir>/<identity>/<n>.jpg`, with `pairs.csv` (a,b,same) listing the pairs to
 * score. Without pairs.csv every pair of photos is scored, labelled by folder.
 */
export const labelledPairSchema = z.object({ a: z.string().min(1), b: z.string().min(1), same: z.boolean() });
export type LabelledPair = z.infer<typeof labelledPairSchema>;

const IMAGE = /\.(jpe?g|png|webp|jp2|j2k)$/i;

export function readPairs(dir: string): LabelledPair[] {
  const csv = join(dir, 'pairs.csv');
  if (existsSync(csv)) return parsePairsCsv(readFileSync(csv, 'utf8'));
  const photos: { path: string; identity: string }[] = [];
  for (const identity of readdirSync(dir).sort()) {
    const sub = join(dir, identity);
    if (!statSync(sub).isDirectory()) continue;
    for (const f of readdirSync(sub).sort()) if (IMAGE.test(f)) photos.push({ path: `${identity}/${f}`, identity });
  }
  const pairs: LabelledPair[] = [];
  for (let i = 0; i < photos.length; i++)
    for (let j = i + 1; j < photos.length; j++)
      pairs.push({ a: photos[i].path, b: photos[j].path, same: photos[i].identity === photos[j].identity });
  return pairs;
}

export function parsePairsCsv(text: string): LabelledPair[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const [header, ...rows] = lines;
  const cols = header.split(',').map((c) => c.trim());
  const ia = cols.indexOf('a'),
    ib = cols.indexOf('b'),
    is = cols.indexOf('same');
  if (ia < 0 || ib < 0 || is < 0) throw new Error('pairs.csv needs the columns a,b,same');
  return rows.map((row, n) => {
    const c = row.split(',').map((x) => x.trim());
    const same = c[is].toLowerCase();
    if (!['1', '0', 'true', 'false', 'yes', 'no'].includes(same)) throw new Error(`pairs.csv row ${n + 2}: same must be 1/0/true/false`);
    return labelledPairSchema.parse({ a: c[ia], b: c[ib], same: ['1', 'true', 'yes'].includes(same) });
  });
}
