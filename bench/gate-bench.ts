// npm run bench:gate — card tap → lane decision latency, split by step, p50/p95 over many runs with
// the CCCD emulator (in-process, then over PC/SC via pcscd + vpcd), the real face pipeline on a
// 640×480 camera frame, a 1,000-entry watchlist and the simulated relay. Figures, not assertions.
// Flags: --runs N (in-process, default 100), --pcsc-runs N (default 100, 0 skips PC/SC).
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { CscaTrustStore, InProcessTransport, PcscMonitor, type CccdReadResult } from '../libs/cccd/src/index.js';
import { EmrtdApplet } from '../libs/cccd/src/emulator/index.js';
import type { Decision, DecisionSteps, GateEvent } from '../libs/contracts/src/index.js';
import { FacePipeline, l2Normalise } from '../libs/face/src/index.js';
import { SimulatedActuator } from '../edge/src/actuators/simulated-actuator.js';
import type { RgbFrame } from '../edge/src/camera/frame.js';
import type { FrameSource } from '../edge/src/camera/frame-source.js';
import { AntiPassback } from '../edge/src/gate/anti-passback.js';
import { ChipCard } from '../edge/src/gate/chip-card.js';
import { FrameFaceCapturer } from '../edge/src/gate/face-capture.js';
import { PipelineFaceMatcher } from '../edge/src/gate/face-matcher.js';
import { Lane } from '../edge/src/gate/lane.js';
import { LaneConfigSchema } from '../edge/src/gate/lane-config.schema.js';
import type { CardHandle } from '../edge/src/gate/lane-ports.js';
import { MemoryWatchlist } from '../edge/src/gate/memory-watchlist.js';
import { CardRig, sharedFace } from '../test/gate/gate-rig.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '100' }, 'pcsc-runs': { type: 'string', default: '100' } } });
const RUNS = Number(values.runs);
const PCSC_RUNS = Number(values['pcsc-runs']);

/** A camera at 25 fps always showing the same 640×480 frame of the card holder. */
async function stillCamera(path: string): Promise<FrameSource> {
  const { data, info } = await sharp(readFileSync(path))
    .resize(640, 480, { fit: 'cover' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let timer: NodeJS.Timeout | undefined;
  let seq = 0;
  return {
    cameraId: 'bench',
    ended: new Promise(() => undefined),
    start(onFrame) {
      timer = setInterval(
        () =>
          void onFrame({
            width: info.width,
            height: info.height,
            data: new Uint8Array(data),
            seq: seq++,
            capturedAt: Date.now(),
          } satisfies RgbFrame),
        40,
      );
    },
    async stop() {
      clearInterval(timer);
    },
    health: () => ({ cameraId: 'bench', state: 'streaming', fps: 25, reconnects: 0 }),
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

interface Run {
  steps: DecisionSteps;
  chipWall: number;
  /** APDUs and bytes exchanged with the chip (what a real reader's air interface would carry). */
  apdus: number;
  chipBytes: number;
  tapToDecision: number;
  outcome: string;
}

function report(title: string, runs: Run[]): void {
  const rows: [string, (r: Run) => number | undefined][] = [
    ['chip access (PACE)', (r) => r.steps.chipAccess],
    ['DG reads', (r) => r.steps.dgRead],
    ['passive auth', (r) => r.steps.passiveAuth],
    ['chip read (wall)', (r) => r.chipWall],
    ['  APDUs (count)', (r) => r.apdus],
    ['  bytes to/from chip', (r) => r.chipBytes],
    ['face capture (‖ chip)', (r) => r.steps.faceCapture],
    ['  of which liveness', (r) => r.steps.liveness],
    ['1:1 (chip photo embed + cosine)', (r) => r.steps.faceMatch],
    ['watchlist (ID HMAC + 1:N face)', (r) => r.steps.watchlist],
    ['actuator', (r) => r.steps.actuator],
    ['tap → decision', (r) => r.tapToDecision],
    ['tap → decision minus chip read', (r) => r.tapToDecision - r.chipWall],
  ];
  console.log(`\n${title} — ${runs.length} runs, outcomes: ${[...new Set(runs.map((r) => r.outcome))].join(', ')}`);
  console.log('step'.padEnd(36) + 'p50 ms'.padStart(10) + 'p95 ms'.padStart(10));
  for (const [name, get] of rows) {
    const xs = runs.map(get).filter((x): x is number => x !== undefined);
    if (xs.length) console.log(name.padEnd(36) + pct(xs, 50).toFixed(1).padStart(10) + pct(xs, 95).toFixed(1).padStart(10));
  }
}

async function main(): Promise<void> {
  const faces = await FacePipeline.create();
  const matcher = new PipelineFaceMatcher(faces);
  const camera = await stillCamera(sharedFace('df01', 2));
  const capturer = new FrameFaceCapturer(camera, faces, matcher.livenessThreshold);
  // 1,000 unrelated people on the list, so 1:N does real work.
  const watch = new MemoryWatchlist(
    matcher.threshold,
    Array.from({ length: 1000 }, (_, i) => {
      const v = l2Normalise(Float32Array.from({ length: 128 }, () => Math.random() - 0.5));
      return {
        entryId: `w${i}`,
        listKind: 'watchlist' as const,
        severity: 'high' as const,
        idNumberHmac: randomBytes(32).toString('hex'),
        templates: [Buffer.from(v.buffer).toString('base64')],
      };
    }),
  );
  const relay = new SimulatedActuator();
  const dir = mkdtempSync(join(tmpdir(), 'cg-gate-bench-'));
  const rig = new CardRig();
  let runs: Run[] = [];
  let pending: { resolve: (e: GateEvent & { decision: Decision }) => void } | undefined;
  const lane = new Lane({
    siteId: 'bench',
    zoneId: 'z',
    gateId: 'g',
    policy: 'station',
    antiPassbackZone: false,
    antiPassback: new AntiPassback(1000),
    config: LaneConfigSchema.parse({
      id: 'l1',
      reader: 'x',
      policy: { livenessCheck: 'passive' },
      timeouts: { resultMs: 100, chipReadMs: 20_000 },
    }),
    face: capturer,
    matcher,
    watchlist: watch,
    actuator: { open: () => relay.release(500) },
    hmacId: (id) => createHmac('sha256', 'bench').update(id).digest('hex'),
    sink: { decision: (e) => pending?.resolve(e), state: () => undefined, online: () => true },
  });
  const once = async (card: CardHandle, can: string): Promise<Run> => {
    let chipWall = 0;
    let apdus = 0;
    let chipBytes = 0;
    const timed: CardHandle = {
      read: async (k) => {
        const t0 = performance.now();
        try {
          const r = (await card.read(k)) as CccdReadResult;
          for (const s of r.steps) {
            apdus += s.apdus;
            chipBytes += s.bytesSent + s.bytesReceived;
          }
          return r;
        } finally {
          chipWall = performance.now() - t0;
        }
      },
      close: () => card.close(),
    };
    const decided = new Promise<GateEvent & { decision: Decision }>((resolve) => (pending = { resolve }));
    lane.canEntered(can);
    const t0 = performance.now();
    lane.cardInserted(timed);
    const e = await decided;
    const tapToDecision = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 150)); // result display → idle
    return {
      steps: e.decision.steps ?? {},
      chipWall,
      apdus,
      chipBytes,
      tapToDecision,
      outcome: e.decision.outcome + (e.decision.reasons.length ? `:${e.decision.reasons.join('+')}` : ''),
    };
  };

  await rig.start(dir);
  const card = await rig.card('079203012345', sharedFace('df01', 1));
  const trust = CscaTrustStore.fromPaths([rig.cscaFile]);
  console.log(
    `face backend ${faces.backendName}, threshold ${matcher.threshold}, DG2 ${card.faceJpeg.length} bytes, watchlist 1,000 entries`,
  );

  for (let i = 0; i < 3; i++) await once(new ChipCard(new InProcessTransport(new EmrtdApplet(card)), trust), card.can); // warm-up
  for (let i = 0; i < RUNS; i++) runs.push(await once(new ChipCard(new InProcessTransport(new EmrtdApplet(card)), trust), card.can));
  report('In-process card transport', runs);

  if (PCSC_RUNS > 0) {
    const monitor = await PcscMonitor.open();
    runs = [];
    for (let i = 0; i < PCSC_RUNS; i++) {
      await rig.insert(card);
      const transport = await monitor.waitForCard(/^Virtual PCD/, 10_000);
      runs.push(await once(new ChipCard(transport, trust), card.can));
      await rig.remove();
    }
    monitor.close();
    report('PC/SC (pcscd + vpcd virtual reader)', runs);
  }
  await lane.close();
  await capturer.stop();
  await rig.stop();
  await faces.dispose();
  console.log('\nTargets: tap → decision p95 ≤ 1000 ms; excluding the chip read ≤ 300 ms.');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
