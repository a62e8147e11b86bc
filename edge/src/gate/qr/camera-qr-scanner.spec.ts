import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { waitFor } from '../../../../test/support/wait-for.js';
import type { RgbFrame } from '../../camera/frame.js';
import { laneFrameSource } from '../lane-camera.js';
import { CameraQrScanner } from './camera-qr-scanner.js';
import { LaneQrInputs, type QrLane } from './lane-qr-inputs.js';
import { CameraQrInputSchema } from './qr-input-config.schema.js';

const QR = '079203012345||Nguyễn Thị Thanh Hương|15082003|Nữ|Số 12 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh|10052021';
const FACE = join(process.env.CG_SHARED_DIR ?? '../shared', 'faces', 'df01', '2.jpg');

test("camera QR: a CCCD QR (qrencode) held up in the lane camera's view (looping still image via ffmpeg) reaches the lane exactly once, only while armed", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-camqr-'));
  const qrPng = join(dir, 'qr.png');
  execFileSync('qrencode', ['-8', '-s', '4', '-m', '4', '-o', qrPng, QR]);
  // The person's photo with the phone's QR in one corner, at the lane camera's 640×480.
  const still = join(dir, 'lane.png');
  const face = await sharp(FACE).resize(640, 480, { fit: 'cover' }).png().toBuffer();
  await sharp(face)
    .composite([{ input: qrPng, left: 420, top: 250 }])
    .png()
    .toFile(still);

  const source = laneFrameSource({ id: 'cam-qr', kind: 'file', path: still });
  let latest: RgbFrame | undefined;
  let frames = 0;
  source.start((f) => {
    latest = f;
    frames++;
  });
  let armed = false;
  const scanner = new CameraQrScanner(
    'cam-qr',
    CameraQrInputSchema.parse({ kind: 'camera', everyMs: 100 }),
    () => latest,
    () => armed,
  );
  const calls: string[] = [];
  const rejected: string[] = [];
  const lane: QrLane = { id: 'l1', qrScanned: (text) => calls.push(text), qrRejected: (r) => rejected.push(r) };
  const inputs = new LaneQrInputs(lane, [scanner], 3000, () => undefined);
  inputs.start();
  t.after(async () => {
    await inputs.stop();
    await source.stop();
  });

  await waitFor(
    () => frames,
    (n) => n >= 5,
    15_000,
    'frames from ffmpeg',
  );
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(calls.length, 0, 'not armed (a face being captured): no decode');
  assert.equal(scanner.meanDecodeMs(), 0);

  armed = true;
  await waitFor(
    () => calls.length,
    (n) => n >= 1,
    10_000,
    'QR decoded from the camera',
  );
  const seenAt = frames;
  await waitFor(
    () => frames,
    (n) => n >= seenAt + 15,
    10_000,
    'more frames with the same QR',
  ); // ~1.5 s at 10 fps
  assert.deepEqual(calls, [QR], 'the same QR on consecutive frames counts once, UTF-8 name intact');
  assert.deepEqual(rejected, []);
  const h = inputs.health()[0]!;
  assert.equal(h.kind, 'camera');
  assert.equal(h.connected, true);
  assert.ok(h.scans >= 5, `decoded on many frames (${h.scans}), passed on once`);
  const ms = scanner.meanDecodeMs();
  // Its speed is a figure, not a pass mark (a loaded machine doubles it): the diagnostic prints it.
  assert.ok(ms > 0, `decode cost measured (${ms.toFixed(1)} ms per 640×480 frame)`);
  t.diagnostic(`jsQR on 640x480 (halved): ${ms.toFixed(1)} ms per frame with a QR in view`);
});
