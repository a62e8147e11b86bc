import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CameraConfigSchema, type CameraConfigInput } from '../../edge/src/camera/camera-config.schema.js';
import { createFrameSource } from '../../edge/src/camera/create-frame-source.js';
import { FfmpegSource } from '../../edge/src/camera/ffmpeg-source.js';
import { FfmpegMissingError, resolveFfmpeg } from '../../edge/src/camera/ffmpeg-binary.js';
import type { CameraHealth } from '../../libs/contracts/src/index.js';
import { OnvifEmulator } from './onvif-emulator.js';
import { freePort } from '../support/ports.js';
import { RtspServer } from './rtsp-server.js';
import { plainH264Clip, waitFor } from './test-clips.js';

const LINE = [{ id: 'door', from: { x: 0.5, y: 0 }, to: { x: 0.5, y: 1 }, inside: { x: 0.9, y: 0.5 } }];
const base = {
  width: 160,
  height: 90,
  fps: 5,
  lines: LINE,
  stallSeconds: 5,
  connectTimeoutSeconds: 5,
  reconnect: { initialMs: 300, maxMs: 2000, jitter: 0.5 },
};

describe('which ffmpeg runs: FFMPEG_PATH, else the system one, else the static build from npm', () => {
  it('finds the bundled static build when no ffmpeg is on PATH', () => {
    const b = resolveFfmpeg({ PATH: '/nonexistent' });
    assert.equal(b.origin, 'bundled');
    assert.match(b.path, /@ffmpeg-installer/);
    assert.ok(b.major >= 4);
  });

  it('prefers the system ffmpeg on PATH, and FFMPEG_PATH over both', () => {
    const sys = resolveFfmpeg({ PATH: '/usr/local/bin:/usr/bin' });
    assert.equal(sys.origin, 'system');
    assert.equal(sys.path, '/usr/bin/ffmpeg');
    const bundled = resolveFfmpeg({ PATH: '/nonexistent' }).path;
    const forced = resolveFfmpeg({ PATH: '/usr/bin', FFMPEG_PATH: bundled });
    assert.equal(forced.origin, 'FFMPEG_PATH');
    assert.equal(forced.path, bundled);
  });

  it('a wrong FFMPEG_PATH is an error that names every way to get an ffmpeg', () => {
    assert.throws(
      () => resolveFfmpeg({ PATH: '/usr/bin', FFMPEG_PATH: '/nonexistent/ffmpeg' }),
      (e: Error) => {
        assert.ok(e instanceof FfmpegMissingError);
        assert.match(e.message, /FFMPEG_PATH=\/nonexistent\/ffmpeg is not an executable file/);
        assert.match(e.message, /apt-get install ffmpeg/);
        assert.match(e.message, /npm run setup:system/);
        assert.match(e.message, /@ffmpeg-installer\/ffmpeg/);
        return true;
      },
    );
  });

  it('a camera whose ffmpeg cannot start fails at once with that message, not a stack trace', async () => {
    const states: CameraHealth[] = [];
    const src = new FfmpegSource({
      cameraId: 'c',
      url: '/dev/null',
      inputArgs: [],
      width: 16,
      height: 16,
      fps: 1,
      delivery: 'every',
      restart: false,
      stallMs: 5000,
      connectTimeoutMs: 5000,
      backoff: { initialMs: 100, maxMs: 100, jitter: 0 },
      ffmpegPath: '/nonexistent/ffmpeg',
      onState: (h) => void states.push(h),
    });
    src.start(() => undefined);
    try {
      await waitFor('camera failed', 10_000, () => src.health().state === 'failed');
      assert.match(src.health().error ?? '', /\/nonexistent\/ffmpeg not found\. .*apt-get install ffmpeg.*@ffmpeg-installer.*FFMPEG_PATH/);
    } finally {
      await src.stop();
    }
  });
});

for (const which of ['system', 'bundled'] as const) {
  describe(`file, RTSP and ONVIF sources stream through the ${which} ffmpeg`, () => {
    let dir: string;
    let rtsp: RtspServer;
    let device: OnvifEmulator;
    let clip: string;
    const saved = process.env.FFMPEG_PATH;

    before(async () => {
      process.env.FFMPEG_PATH = which === 'system' ? '/usr/bin/ffmpeg' : resolveFfmpeg({ PATH: '/nonexistent' }).path;
      dir = await mkdtemp(join(tmpdir(), `cg-ffmpeg-${which}-`));
      clip = await plainH264Clip(dir, 20);
      rtsp = new RtspServer({ port: await freePort(), user: 'viewer', password: 'pa ss', mounts: { '/cam': clip } });
      await rtsp.start();
      device = new OnvifEmulator({ username: 'viewer', password: 'pa ss', streamUri: rtsp.url('/cam'), width: 480, height: 270 });
      await device.start();
    });

    after(async () => {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
      await device.stop();
      await rtsp.kill();
      await rm(dir, { recursive: true, force: true });
    });

    const frames = async (what: string, cfg: Record<string, unknown>) => {
      assert.equal(resolveFfmpeg().origin, 'FFMPEG_PATH');
      const source = createFrameSource(CameraConfigSchema.parse({ ...base, ...cfg } as CameraConfigInput));
      const got: { w: number; h: number; bytes: number }[] = [];
      source.start((f) => void got.push({ w: f.width, h: f.height, bytes: f.data.length }));
      try {
        await waitFor(`${what} frames through the ${which} ffmpeg`, 20_000, () => got.length >= 5);
      } finally {
        await source.stop();
      }
      assert.deepEqual(got[0], { w: 160, h: 90, bytes: 160 * 90 * 3 });
    };

    it('a file', () => frames('file', { id: 'f', kind: 'file', path: clip, realtime: true, loop: true }));
    it("an RTSP camera with a password (TCP, socket timeout in this version's option)", () =>
      frames('RTSP', { id: 'r', kind: 'rtsp', url: rtsp.url('/cam'), username: 'viewer', password: 'pa ss' }));
    it('an ONVIF camera', () =>
      frames('ONVIF', { id: 'o', kind: 'onvif', host: '127.0.0.1', port: device.port, username: 'viewer', password: 'pa ss' }));
    it('wrong RTSP credentials are reported as such', async () => {
      const source = createFrameSource(
        CameraConfigSchema.parse({ ...base, id: 'bad', kind: 'rtsp', url: rtsp.url('/cam'), username: 'viewer', password: 'wrong' }),
      );
      source.start(() => undefined);
      try {
        await waitFor('auth failure', 20_000, () => /credential|401|auth/i.test(source.health().error ?? ''));
      } finally {
        await source.stop();
      }
    });
  });
}
