import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FacePipeline } from '../../../libs/face/src/index.js';
import type { RgbFrame } from '../camera/frame.js';
import type { FrameSource } from '../camera/frame-source.js';
import { FrameFaceCapturer } from './face-capture.js';

const face = (person: string, n: number) => join(process.env.CG_SHARED_DIR ?? '../shared', 'faces', person, `${n}.jpg`);

/** A camera at 20 fps showing one image (or nothing at all). */
async function camera(path?: string): Promise<FrameSource> {
  const img = path
    ? await sharp(readFileSync(path)).resize(640, 480, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    : undefined;
  const blank = new Uint8Array(640 * 480 * 3).fill(128);
  let timer: NodeJS.Timeout | undefined;
  let seq = 0;
  return {
    cameraId: 'c',
    ended: new Promise(() => undefined),
    start(onFrame) {
      timer = setInterval(
        () =>
          void onFrame({
            width: 640,
            height: 480,
            data: img ? new Uint8Array(img.data) : blank,
            seq: seq++,
            capturedAt: Date.now(),
          } satisfies RgbFrame),
        50,
      );
    },
    async stop() {
      clearInterval(timer);
    },
    health: () => ({ cameraId: 'c', state: 'streaming', fps: 20, reconnects: 0 }),
  };
}

const deadCamera: FrameSource = {
  cameraId: 'dead',
  ended: new Promise(() => undefined),
  start() {},
  async stop() {},
  health: () => ({ cameraId: 'dead', state: 'failed', fps: 0, reconnects: 3 }),
};

test(
  'lane face capture on the real pipeline: best face with crop, no face, dead camera, presence trigger',
  { timeout: 60_000 },
  async () => {
    const faces = await FacePipeline.create();
    const capturers: FrameFaceCapturer[] = [];
    try {
      const person = new FrameFaceCapturer(await camera(face('df01', 2)), faces, faces.livenessThreshold);
      capturers.push(person);
      const got = await person.capture(3000, new AbortController().signal);
      assert.ok(typeof got !== 'string', `a face: ${String(got)}`);
      assert.equal(got.embedding.length, 512);
      assert.ok(got.fusedFrames! >= 1 && got.fusedFrames! <= 3, `fused ${got.fusedFrames} frames`);
      assert.equal(got.qualityOk, true);
      assert.ok(got.liveness !== undefined && got.liveness >= faces.livenessThreshold);
      assert.deepEqual([...got.cropJpeg!.subarray(0, 2)], [0xff, 0xd8], 'the crop is a JPEG');
      assert.ok(got.cropJpeg!.length < 24_000, 'small enough for the lane-state message');

      const empty = new FrameFaceCapturer(await camera(), faces, faces.livenessThreshold);
      capturers.push(empty);
      assert.equal(await empty.capture(600, new AbortController().signal), 'no_face');

      const dead = new FrameFaceCapturer(deadCamera, faces, faces.livenessThreshold);
      capturers.push(dead);
      assert.equal(await dead.capture(3000, new AbortController().signal), 'camera_unavailable');

      let seen = 0;
      let armed = true;
      person.watchPresence(
        () => {
          seen++;
          armed = false;
        },
        () => armed,
        50,
      );
      const end = Date.now() + 10_000;
      while (seen === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.equal(seen, 1, 'a face in view starts a cycle once while the lane is armed');
    } finally {
      await Promise.all(capturers.map((c) => c.stop()));
      await faces.dispose();
    }
  },
);

test(
  'blink challenge: a still photo held to the camera never blinks, so the capture reports the challenge failed',
  { timeout: 60_000 },
  async () => {
    const faces = await FacePipeline.create();
    const still = new FrameFaceCapturer(await camera(face('fr_obama', 2)), faces, faces.livenessThreshold);
    try {
      const t0 = Date.now();
      const got = await still.capture(1500, new AbortController().signal, { challenge: 'blink' });
      assert.ok(typeof got !== 'string', String(got));
      assert.equal(got.challenge, 'failed');
      assert.ok(Date.now() - t0 >= 1400, 'a challenge waits out the window for a blink instead of stopping at the first good face');
      const passive = await still.capture(1500, new AbortController().signal);
      assert.ok(typeof passive !== 'string' && passive.challenge === undefined);
    } finally {
      await still.stop();
      await faces.dispose();
    }
  },
);

test(
  'active challenge on the real pipeline: a still photo in front of the camera fails as frozen, at the first step, prompted',
  { timeout: 60_000 },
  async () => {
    const faces = await FacePipeline.create();
    const photo = new FrameFaceCapturer(await camera(face('df01', 2)), faces, faces.livenessThreshold);
    try {
      const prompts: string[] = [];
      const got = await photo.capture(9000, new AbortController().signal, {
        challenge: 'active',
        onPrompt: (step) => prompts.push(step),
        challengeOptions: { steps: 3, stepMs: 3000 },
      });
      assert.ok(typeof got !== 'string', `a face: ${String(got)}`);
      assert.equal(got.challenge, 'failed');
      assert.equal(got.challengeSteps?.length, 3);
      assert.deepEqual(got.challengeFailure, { step: got.challengeSteps![0], reason: 'frozen' });
      assert.deepEqual(prompts, [got.challengeSteps![0]], 'the first step was prompted, and no other');
      assert.equal(got.embedding.length, 512, 'the face is still captured for the operator');
    } finally {
      await photo.stop();
      await faces.dispose();
    }
  },
);
