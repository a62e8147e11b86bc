import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CameraConfigSchema } from '../../edge/src/camera/camera-config.schema.js';
import { createFrameSource } from '../../edge/src/camera/create-frame-source.js';
import { resolveOnvifStream } from '../../edge/src/camera/onvif-client.js';
import { OnvifEmulator } from './onvif-emulator.js';
import { freePort } from '../support/ports.js';
import { RtspServer } from './rtsp-server.js';
import { plainH264Clip, waitFor } from './test-clips.js';

describe('ONVIF camera: emulated device names the RTSP stream the edge then reads', () => {
  let dir: string;
  let rtsp: RtspServer;
  let device: OnvifEmulator;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cg-cam-onvif-'));
    rtsp = new RtspServer({
      port: await freePort(),
      user: 'viewer',
      password: 'pa ss',
      mounts: { '/profile1': await plainH264Clip(dir, 20) },
    });
    await rtsp.start();
    device = new OnvifEmulator({ username: 'viewer', password: 'pa ss', streamUri: rtsp.url('/profile1'), width: 480, height: 270 });
    await device.start();
  });

  after(async () => {
    await device.stop();
    await rtsp.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('authenticates, lists profiles and resolves stream and snapshot URIs', async () => {
    const s = await resolveOnvifStream({ host: '127.0.0.1', port: device.port, username: 'viewer', password: 'pa ss' });
    assert.deepEqual(
      s.profiles.map((p) => [p.token, p.encoding, p.width, p.height]),
      [['main', 'H264', 480, 270]],
    );
    assert.equal(s.profile.token, 'main');
    assert.equal(s.streamUri, `rtsp://viewer:pa%20ss@127.0.0.1:${rtsp.config.port}/profile1`);
    assert.equal(s.snapshotUri, `http://127.0.0.1:${device.port}/onvif/snapshot.jpg`);
    for (const action of ['GetSystemDateAndTime', 'GetCapabilities', 'GetProfiles', 'GetStreamUri'])
      assert.ok(device.calls.includes(action), action);
  });

  it('says so when the device refuses the credentials or the profile does not exist', async () => {
    await assert.rejects(
      resolveOnvifStream({ host: '127.0.0.1', port: device.port, username: 'viewer', password: 'wrong' }),
      /refused the credentials/,
    );
    await assert.rejects(
      resolveOnvifStream({ host: '127.0.0.1', port: device.port, username: 'viewer', password: 'pa ss', profile: 'sub' }),
      /has no profile sub \(profiles: main\)/,
    );
    await assert.rejects(resolveOnvifStream({ host: '127.0.0.1', port: await freePort(), timeoutMs: 2000 }), /refused the connection/);
  });

  it('streams frames from the URI the device names', async () => {
    const cam = CameraConfigSchema.parse({
      id: 'onvif-cam',
      kind: 'onvif',
      host: '127.0.0.1',
      port: device.port,
      username: 'viewer',
      password: 'pa ss',
      width: 320,
      height: 180,
      fps: 5,
      lines: [{ id: 'door', from: { x: 0.5, y: 0 }, to: { x: 0.5, y: 1 }, inside: { x: 0.9, y: 0.5 } }],
    });
    const source = createFrameSource(cam);
    const frames: { w: number; h: number; bytes: number }[] = [];
    source.start((f) => void frames.push({ w: f.width, h: f.height, bytes: f.data.length }));
    try {
      await waitFor('frames over ONVIF-resolved RTSP', 20_000, () => frames.length >= 5);
      assert.deepEqual(frames[0], { w: 320, h: 180, bytes: 320 * 180 * 3 });
      assert.equal(source.health().state, 'streaming');
    } finally {
      await source.stop();
    }
  });
});
