import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GateEventSchema, type GateEvent } from '../../libs/contracts/src/index.js';
import { CameraAssignmentSchema } from '../../edge/src/camera/camera-config.schema.js';
import { CameraPipeline } from '../../edge/src/camera/camera-pipeline.js';
import { createFrameSource } from '../../edge/src/camera/create-frame-source.js';
import { EncryptedMediaStore } from '../../edge/src/camera/media-store.js';
import { MoveNetMultiPoseDetector } from '../../edge/src/vision/movenet-multipose-detector.js';
import { personModelPath } from '../../edge/src/vision/person-models.js';
import { TfjsWasmBackend } from '../../libs/face/src/inference/tfjs-wasm-backend.js';
import { expectedCounts, generateClip, type ClipSpec } from '../../scripts/clips/clip-generator.js';
import { BAND_PX, LINE_X, OVERLAPPING, SEPARATE } from '../../scripts/clips/counting-scenarios.js';

/** Tolerance per direction for the clip where people overlap (passing each other on the line). */
const OVERLAP_TOLERANCE = 1;

let media: EncryptedMediaStore;

describe('counting accuracy on generated clips with exact ground truth', () => {
  let dir: string;
  let detector: MoveNetMultiPoseDetector;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cg-cam-count-'));
    detector = await MoveNetMultiPoseDetector.create(new TfjsWasmBackend(), { modelPath: personModelPath() });
  });
  after(async () => {
    await detector.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function count(name: string, spec: ClipSpec): Promise<{ events: GateEvent[]; truth: { entry: number; exit: number } }> {
    const clip = await generateClip(dir, name, spec);
    const assignment = CameraAssignmentSchema.parse({
      siteId: 'site-1',
      zoneId: 'zone-1',
      gateId: 'gate-1',
      camera: {
        id: 'cam-1',
        kind: 'file',
        path: clip.path,
        loop: false,
        realtime: false,
        width: spec.width,
        height: spec.height,
        fps: spec.fps,
        lines: [
          {
            id: 'door',
            from: { x: LINE_X / spec.width, y: 0 },
            to: { x: LINE_X / spec.width, y: 1 },
            inside: { x: 0.9, y: 0.5 },
            band: BAND_PX / spec.height,
            laneId: 'lane-a',
          },
        ],
      },
    });
    const events: GateEvent[] = [];
    media = new EncryptedMediaStore(join(dir, 'media'), randomBytes(32));
    const pipeline = new CameraPipeline(assignment, detector, (e) => void events.push(e), media);
    const source = createFrameSource(assignment.camera);
    source.start((f) => pipeline.process(f));
    await source.ended;
    assert.equal(pipeline.stats.frames, spec.fps * spec.seconds, 'every frame of the clip was processed');
    return { events, truth: expectedCounts(spec, LINE_X, BAND_PX) };
  }

  const tally = (events: GateEvent[]) => ({
    entry: events.filter((e) => e.direction === 'entry').length,
    exit: events.filter((e) => e.direction === 'exit').length,
  });

  it('people one at a time: exact entries and exits, turn-backs never counted', async () => {
    const { events, truth } = await count('separate', SEPARATE);
    assert.deepEqual(truth, { entry: 2, exit: 2 }, 'the script implies 2 entries, 2 exits (2 turn-backs)');
    assert.deepEqual(tally(events), truth);
    for (const e of events) {
      GateEventSchema.parse(e);
      assert.equal(e.source, 'camera');
      assert.equal(e.laneId, 'lane-a');
    }
    assert.equal(new Set(events.map((e) => e.trackId)).size, events.length, 'one event per track');
    // The walkers face the camera: best-shot face crops are attached and stored as referenced.
    const withFace = events.filter((e) => e.attachments?.some((a) => a.kind === 'face_crop'));
    assert.ok(withFace.length >= 2, `face crops on ${withFace.length} of ${events.length} events`);
    for (const e of withFace) {
      const a = e.attachments![0]!;
      const jpeg = await media.read(a.ref);
      assert.equal(createHash('sha256').update(jpeg).digest('hex'), a.sha256);
      assert.equal(jpeg[0], 0xff, 'a JPEG');
      // At rest the crop is ciphertext: no JPEG marker, none of its bytes in clear.
      const disk = await readFile(join(dir, 'media', `${a.ref.replace(/^media:/, '')}.enc`));
      assert.notEqual(disk[0], 0xff);
      assert.equal(disk.includes(jpeg.subarray(0, 64)), false);
    }
  });

  it(`people overlapping: entries and exits within ±${OVERLAP_TOLERANCE} of the script`, async () => {
    const { events, truth } = await count('overlapping', OVERLAPPING);
    assert.deepEqual(truth, { entry: 4, exit: 1 });
    const got = tally(events);
    assert.ok(Math.abs(got.entry - truth.entry) <= OVERLAP_TOLERANCE, `entries ${got.entry}, script ${truth.entry}`);
    assert.ok(Math.abs(got.exit - truth.exit) <= OVERLAP_TOLERANCE, `exits ${got.exit}, script ${truth.exit}`);
  });
});
