// Ground truth of counting clips (../shared/video/**/lines.json and ground_truth_<clip>.csv) and the
// matching of counted crossings against it. Used by `npm run bench:counting` and the crowd spec.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Mount } from '../edge/src/vision/counting-profiles.js';

const Pt = z.object({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) });
/** A clip's line as lines.json gives it ({ line: { from, to }, inside }) or flat ({ from, to, inside }). */
export const ClipLineSchema = z.union([
  z.object({
    line: z.object({ from: Pt, to: Pt }),
    inside: Pt,
    mount: z.enum(['side', 'oblique', 'overhead']).optional(),
    note: z.string().optional(),
  }),
  z.object({ from: Pt, to: Pt, inside: Pt, mount: z.enum(['side', 'oblique', 'overhead']).optional(), note: z.string().optional() }),
]);
export type ClipLineInput = z.infer<typeof ClipLineSchema>;

export interface ClipLine {
  from: { x: number; y: number };
  to: { x: number; y: number };
  inside: { x: number; y: number };
  mount?: Mount;
  note?: string;
}

export function normaliseLine(input: unknown): ClipLine {
  const l = ClipLineSchema.parse(input);
  const seg = 'line' in l ? l.line : l;
  return { from: seg.from, to: seg.to, inside: l.inside, ...(l.mount ? { mount: l.mount } : {}), ...(l.note ? { note: l.note } : {}) };
}

/**
 * A clip's mount: lines.json's `mount` when it says, else `overhead` when the clip's name or note
 * calls it overhead / top-down, `side` when it calls it a side view (a lane camera), else `oblique`
 * (a high camera over a crowd; CenterNet also counts close side views exactly, see the crowd spec).
 */
export function mountOf(name: string, line: ClipLine): Mount {
  if (line.mount) return line.mount;
  const text = `${name} ${line.note ?? ''}`;
  if (/overhead|top[- ]?down|from above/i.test(text)) return 'overhead';
  if (/\bside[- ]?(view|camera)\b/i.test(text)) return 'side';
  return 'oblique';
}

export interface TruthCrossing {
  person: string;
  at: number;
  direction: 'entry' | 'exit';
}

export interface Clip {
  name: string;
  path: string;
  line: ClipLine;
  mount: Mount;
  truth?: TruthCrossing[];
}

/** Every clip with a counting line in lines.json of each directory given. Clips without a line are listed apart. */
export function discoverClips(dirs: readonly string[]): { clips: Clip[]; withoutLine: string[] } {
  const clips: Clip[] = [];
  const withoutLine: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const linesPath = join(dir, 'lines.json');
    const lines = existsSync(linesPath) ? (JSON.parse(readFileSync(linesPath, 'utf8')) as Record<string, unknown>) : {};
    for (const file of readdirSync(dir).sort()) {
      if (!/\.(mp4|mkv|mov|avi|webm|ts)$/i.test(file)) continue;
      const name = basename(file).replace(/\.[^.]+$/, '');
      const entry = lines[name] ?? lines[file];
      if (!entry) {
        withoutLine.push(join(dir, file));
        continue;
      }
      const line = normaliseLine(entry);
      const gt = join(dir, `ground_truth_${name}.csv`);
      clips.push({ name, path: join(dir, file), line, mount: mountOf(name, line), ...(existsSync(gt) ? { truth: readTruth(gt) } : {}) });
    }
  }
  return { clips, withoutLine };
}

/** Rows with direction in/out are crossings; `none` rows (people who must not be counted) are skipped. */
export function readTruth(path: string): TruthCrossing[] {
  const rows = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const out: TruthCrossing[] = [];
  for (const r of rows) {
    const dir = (r.direction ?? '').toLowerCase();
    if (dir !== 'in' && dir !== 'out' && dir !== 'entry' && dir !== 'exit') continue;
    const at = Number(r.cross_s);
    if (!Number.isFinite(at)) throw new Error(`${path}: row ${r.person}: cross_s "${r.cross_s}" is not a number`);
    out.push({ person: r.person ?? '?', at, direction: dir === 'in' || dir === 'entry' ? 'entry' : 'exit' });
  }
  return out;
}

export interface CountedCrossing {
  at: number;
  direction: 'entry' | 'exit';
  trackId: number;
}

export interface MatchResult {
  matched: { truth: TruthCrossing; counted: CountedCrossing }[];
  missed: TruthCrossing[];
  false: CountedCrossing[];
  precision: number;
  recall: number;
}

/**
 * Matches counted crossings to the truth: same direction, within `toleranceS` seconds, each used
 * once, closest pairs first (a greedy match on sorted time gaps; with ±1 s windows it equals the
 * optimal one unless three crossings of one direction fall within 2 s, where it still never
 * over-counts).
 */
export function matchCrossings(truth: readonly TruthCrossing[], counted: readonly CountedCrossing[], toleranceS = 1): MatchResult {
  const pairs: { ti: number; ci: number; gap: number }[] = [];
  truth.forEach((t, ti) =>
    counted.forEach((c, ci) => {
      const gap = Math.abs(t.at - c.at);
      if (t.direction === c.direction && gap <= toleranceS) pairs.push({ ti, ci, gap });
    }),
  );
  pairs.sort((a, b) => a.gap - b.gap);
  const usedT = new Set<number>();
  const usedC = new Set<number>();
  const matched: MatchResult['matched'] = [];
  for (const p of pairs) {
    if (usedT.has(p.ti) || usedC.has(p.ci)) continue;
    usedT.add(p.ti);
    usedC.add(p.ci);
    matched.push({ truth: truth[p.ti]!, counted: counted[p.ci]! });
  }
  const missed = truth.filter((_, i) => !usedT.has(i));
  const falseCounts = counted.filter((_, i) => !usedC.has(i));
  return {
    matched,
    missed,
    false: falseCounts,
    precision: counted.length === 0 ? (truth.length === 0 ? 1 : 0) : matched.length / counted.length,
    recall: truth.length === 0 ? 1 : matched.length / truth.length,
  };
}
