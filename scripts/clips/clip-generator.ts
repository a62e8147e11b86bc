import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { walkingClip, walkingPauseClip } from './shared-data.js';

const run = promisify(execFile);

/**
 * Real people cut out of the Intel sample videos (CC BY 4.0, "Sample videos by Intel Corporation"):
 * source clip, frame, crop rectangle (x, y, w, h) and the scale they are pasted at.
 */
export const PEOPLE = {
  woman: { clip: walkingClip, frame: 30, crop: [138, 102, 90, 168], scale: 1.0 },
  man: { clip: walkingClip, frame: 30, crop: [231, 76, 118, 194], scale: 1.0 },
  darkHair: { clip: walkingPauseClip, frame: 0, crop: [62, 80, 100, 190], scale: 0.9 },
  glasses: { clip: walkingPauseClip, frame: 0, crop: [165, 74, 105, 196], scale: 0.9 },
  blonde: { clip: walkingPauseClip, frame: 0, crop: [272, 86, 108, 184], scale: 0.9 },
} as const;
export type PersonName = keyof typeof PEOPLE;

/** A scripted walk: the patch's left edge x at each key time (linear in between); feet at `floorY`. */
export interface Walk {
  person: PersonName;
  /** [seconds, x of the patch's left edge] key points, times increasing. */
  keys: readonly (readonly [number, number])[];
  /** y of the feet (bottom of the patch). */
  floorY: number;
}

export interface ClipSpec {
  width: number;
  height: number;
  fps: number;
  seconds: number;
  walks: readonly Walk[];
  /** Scales every person patch (e.g. 2 for a 1280×720 clip of the 640×360 script). */
  personScale?: number;
}

export interface GeneratedClip {
  path: string;
  spec: ClipSpec;
}

/** Width in the clip of a person's patch. */
export function patchWidth(p: PersonName, personScale = 1): number {
  return Math.round(PEOPLE[p].crop[2] * PEOPLE[p].scale * personScale);
}

/** Where a walk's patch left edge is at time t (undefined when the person is not in the scene). */
export function walkX(w: Walk, t: number): number | undefined {
  const k = w.keys;
  if (t < k[0]![0] || t > k[k.length - 1]![0]) return undefined;
  for (let i = 1; i < k.length; i++) {
    const [t0, x0] = k[i - 1]!;
    const [t1, x1] = k[i]!;
    if (t <= t1) return x0 + ((x1 - x0) * (t - t0)) / (t1 - t0 || 1);
  }
  return k[k.length - 1]![1];
}

/** ffmpeg expression for a walk's x: piecewise-linear in t. */
function xExpr(w: Walk): string {
  const k = w.keys;
  let expr = String(k[k.length - 1]![1]);
  for (let i = k.length - 1; i >= 1; i--) {
    const [t0, x0] = k[i - 1]!;
    const [t1, x1] = k[i]!;
    const seg = `(${x0}+(${x1 - x0})*(t-${t0})/${t1 - t0 || 1})`;
    expr = `if(lt(t\\,${t1})\\,${seg}\\,${expr})`;
  }
  return expr;
}

/**
 * Renders a test clip: a real, empty corridor (the left half of the walking clip's first frame,
 * mirrored) with real people cut out (soft super-elliptic matte) walking on the scripted paths.
 * H.264, no B-frames, one key frame a second.
 */
export async function generateClip(dir: string, name: string, spec: ClipSpec): Promise<GeneratedClip> {
  const used = [...new Set(spec.walks.map((w) => w.person))];
  const patchFiles = new Map<PersonName, string>();
  for (const p of used) {
    const { clip, frame, crop } = PEOPLE[p];
    const scale = PEOPLE[p].scale * (spec.personScale ?? 1);
    const out = join(dir, `${name}-${p}.png`);
    const [x, y, w, h] = crop;
    const sw = Math.round(w * scale);
    const sh = Math.round(h * scale);
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      clip,
      '-vf',
      `select=eq(n\\,${frame}),crop=${w}:${h}:${x}:${y},scale=${sw}:${sh},format=rgba,` +
        `geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='255*clip(6*(1-pow(abs(2*X/W-1),4)-pow(abs(2*Y/H-1),6)),0,1)'`,
      '-frames:v',
      '1',
      out,
    ]);
    patchFiles.set(p, out);
  }
  const inputs = ['-i', walkingClip];
  for (const p of used) inputs.push('-loop', '1', '-framerate', String(spec.fps), '-i', patchFiles.get(p)!);
  const half = 240;
  const graph: string[] = [
    `[0:v]trim=end_frame=1,crop=${half}:270:0:0,split[l][r];[r]hflip[rf];[l][rf]hstack,` +
      `scale=${spec.width}:${spec.height},loop=loop=-1:size=1,fps=${spec.fps},setpts=N/${spec.fps}/TB[bg0]`,
  ];
  // One overlay per walk; a person used twice needs its input split.
  const uses = new Map<PersonName, number>();
  for (const w of spec.walks) uses.set(w.person, (uses.get(w.person) ?? 0) + 1);
  const labels = new Map<PersonName, string[]>();
  used.forEach((p, i) => {
    const n = uses.get(p)!;
    const names = Array.from({ length: n }, (_, k) => `p${i}_${k}`);
    graph.push(`[${i + 1}:v]${n > 1 ? `split=${n}` : 'null'}${names.map((l) => `[${l}]`).join('')}`);
    labels.set(p, names);
  });
  let last = 'bg0';
  spec.walks.forEach((w, i) => {
    const label = labels.get(w.person)!.shift()!;
    const h = Math.round(PEOPLE[w.person].crop[3] * PEOPLE[w.person].scale * (spec.personScale ?? 1));
    const start = w.keys[0]![0];
    const end = w.keys[w.keys.length - 1]![0];
    graph.push(
      `[${last}][${label}]overlay=x='${xExpr(w)}':y=${w.floorY - h}:enable='between(t\\,${start}\\,${end})':eval=frame[bg${i + 1}]`,
    );
    last = `bg${i + 1}`;
  });
  const path = join(dir, `${name}.mp4`);
  await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      ...inputs,
      '-filter_complex',
      graph.join(';'),
      '-map',
      `[${last}]`,
      '-t',
      String(spec.seconds),
      '-r',
      String(spec.fps),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-bf',
      '0',
      '-g',
      String(spec.fps),
      '-pix_fmt',
      'yuv420p',
      path,
    ],
    { maxBuffer: 1 << 24 },
  );
  return { path, spec };
}

export interface ExpectedCounts {
  entry: number;
  exit: number;
}

/**
 * Ground truth from the script: a vertical counting line at x = lineX with inside to the right; a walk
 * counts an entry when the feet (patch centre) go from left of the band to right of it, an exit the
 * other way, and nothing when it turns back inside the band.
 */
export function expectedCounts(spec: ClipSpec, lineX: number, band: number): ExpectedCounts {
  const counts = { entry: 0, exit: 0 };
  for (const w of spec.walks) {
    let side = 0;
    for (let t = w.keys[0]![0]; t <= w.keys[w.keys.length - 1]![0]; t += 1 / spec.fps) {
      const x = walkX(w, t);
      if (x === undefined) continue;
      const d = x + patchWidth(w.person, spec.personScale) / 2 - lineX;
      if (Math.abs(d) < band) continue;
      const s = d > 0 ? 1 : -1;
      if (side !== 0 && s !== side) counts[s > 0 ? 'entry' : 'exit']++;
      side = s;
    }
  }
  return counts;
}
