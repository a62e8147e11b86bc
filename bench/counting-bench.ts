// npm run bench:counting — counts every clip of ../shared/video and ../shared/video/crowd that has a
// counting line (lines.json) with the shipped settings of its camera kind, and prints per clip the
// counts against the hand-counted truth, each false and missed crossing with its time, precision and
// recall (a crossing matches the truth within ±1 s in the right direction) and the speed on one core.
//
//   npm run bench:counting                                   all clips with a line
//   npm run bench:counting -- --dir <folder> [--dir …]        other folders laid out the same way
//   npm run bench:counting -- --clip f.mp4 --line '{"from":{"x":0,"y":0.5},"to":{"x":1,"y":0.5},"inside":{"x":0.5,"y":0.9}}' --mount oblique
//       any other clip: its counts as one JSON line, last
//   --set key=value                                          override one camera setting (e.g. --set detectEvery=1)
//
// Figures, not assertions: the crowd spec holds the accuracy floor.
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { sharedDir } from '../scripts/clips/shared-data.js';
import { MOUNTS, type Mount } from '../edge/src/vision/counting-profiles.js';
import { countClip, type CountClipResult } from './count-clip.js';
import { discoverClips, matchCrossings, normaliseLine, type Clip } from './counting-truth.js';

const fmt = (s: number) => `${s.toFixed(1)} s`;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

function parseOverrides(list: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(kv);
    if (!m) throw new Error(`--set wants key=value, got "${kv}"`);
    const v = m[2]!;
    out[m[1]!] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

function report(clip: Clip, r: CountClipResult): Record<string, unknown> {
  const truthIn = clip.truth?.filter((t) => t.direction === 'entry').length;
  const truthOut = clip.truth?.filter((t) => t.direction === 'exit').length;
  const seconds = r.frames / Number(String(r.settings.decode).split('@')[1]);
  console.log(`\n${clip.name}  (${clip.mount}; ${r.frames} frames, ${fmt(seconds)})`);
  console.log(`  settings   ${JSON.stringify(r.settings)}`);
  console.log(
    `  counted    in ${r.entries}, out ${r.exits}` + (clip.truth ? `   truth in ${truthIn}, out ${truthOut}` : '   (no ground truth)'),
  );
  const fpsWall = r.frames / r.wallSeconds;
  // One core's worth: the frames per CPU-second of detection + tracking (one thread) and ffmpeg's decode.
  const fpsCpu = r.frames / (r.cpuSeconds + (Number.isFinite(r.decodeCpuSeconds) ? r.decodeCpuSeconds : 0));
  console.log(
    `  speed      ${fpsCpu.toFixed(1)} fps on one core (CPU: ${((1000 * r.cpuSeconds) / r.frames).toFixed(1)} ms/frame detect+track, ${((1000 * r.decodeCpuSeconds) / r.frames).toFixed(1)} ms/frame ffmpeg decode); ${fpsWall.toFixed(1)} fps wall; detector ${r.detectMsPerFrame.toFixed(1)} ms wall on ${r.detectedFrames} frames`,
  );
  const out: Record<string, unknown> = {
    clip: clip.name,
    mount: clip.mount,
    in: r.entries,
    out: r.exits,
    fpsWall: +fpsWall.toFixed(1),
    fpsCpu: +fpsCpu.toFixed(1),
  };
  if (clip.truth) {
    const m = matchCrossings(clip.truth, r.crossings);
    for (const x of m.false) console.log(`  FALSE      ${x.direction === 'entry' ? 'in ' : 'out'} at ${fmt(x.at)} (track ${x.trackId})`);
    for (const x of m.missed) console.log(`  MISSED     ${x.direction === 'entry' ? 'in ' : 'out'} at ${fmt(x.at)} (person ${x.person})`);
    console.log(
      `  precision  ${pct(m.precision)}   recall ${pct(m.recall)}   (${m.matched.length} of ${clip.truth.length} matched, ${m.false.length} false)`,
    );
    Object.assign(out, {
      truthIn,
      truthOut,
      matched: m.matched.length,
      false: m.false.length,
      missed: m.missed.length,
      precision: +m.precision.toFixed(4),
      recall: +m.recall.toFixed(4),
    });
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clip: { type: 'string' },
      line: { type: 'string' },
      mount: { type: 'string' },
      dir: { type: 'string', multiple: true },
      set: { type: 'string', multiple: true },
    },
  });
  const overrides = parseOverrides(values.set);
  console.log(`bench:counting — ${availableParallelism()} cores; each clip in one thread (TF.js wasm, 1 thread)`);
  if (values.clip) {
    if (!values.line) throw new Error('--clip needs --line \'{"from":{"x":..,"y":..},"to":{..},"inside":{..}}\' (normalised 0..1)');
    const mount = (values.mount ?? 'oblique') as Mount;
    if (!MOUNTS.includes(mount)) throw new Error(`--mount must be one of ${MOUNTS.join(', ')}`);
    const line = normaliseLine(JSON.parse(values.line));
    const clip: Clip = { name: basename(values.clip), path: values.clip, line, mount };
    const r = await countClip(values.clip, line, mount, { overrides });
    const out = report(clip, r);
    console.log(JSON.stringify({ ...out, settings: r.settings, crossings: r.crossings }));
    return;
  }
  const dirs = values.dir ?? [join(sharedDir, 'video'), join(sharedDir, 'video', 'crowd')];
  const { clips, withoutLine } = discoverClips(dirs);
  for (const f of withoutLine) console.log(`(no counting line in lines.json: ${f} not counted)`);
  if (clips.length === 0) throw new Error(`no clip with a counting line in ${dirs.join(', ')}`);
  const rows: Record<string, unknown>[] = [];
  for (const clip of clips) rows.push(report(clip, await countClip(clip.path, clip.line, clip.mount, { overrides })));
  console.log('\nsummary');
  console.log('  clip                          mount     in/truth  out/truth  precision  recall   fps(cpu)');
  for (const r of rows) {
    console.log(
      `  ${String(r.clip).padEnd(30)}${String(r.mount).padEnd(10)}${`${r.in}/${r.truthIn ?? '-'}`.padEnd(10)}${`${r.out}/${r.truthOut ?? '-'}`.padEnd(11)}${(r.precision !== undefined ? pct(r.precision as number) : '-').padEnd(11)}${(r.recall !== undefined ? pct(r.recall as number) : '-').padEnd(9)}${r.fpsCpu}`,
    );
  }
  console.log(JSON.stringify({ clips: rows }));
}

main().catch((e: Error) => {
  console.error(`bench:counting: ${e.message}`);
  process.exit(1);
});
