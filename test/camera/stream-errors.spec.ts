import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CameraConfigSchema, type CameraConfigInput } from '../../edge/src/camera/camera-config.schema.js';
import { CameraSupervisor } from '../../edge/src/camera/camera-supervisor.js';
import { createFrameSource } from '../../edge/src/camera/create-frame-source.js';
import type { FrameSource } from '../../edge/src/camera/frame-source.js';
import { freePort } from '../support/ports.js';
import { RtspServer } from './rtsp-server.js';
import { plainH264Clip, waitFor } from './test-clips.js';

const LINE = [{ id: 'door', from: { x: 0.5, y: 0 }, to: { x: 0.5, y: 1 }, inside: { x: 0.9, y: 0.5 } }];
// Every failure asserted here is reported by the server or ffmpeg at once (404, 401, refused, no
// decoder); none is a timeout. So the cameras' own timeouts are long: a loaded machine (ffmpeg slow to
// start, the RTSP server slow to answer) must not turn a healthy stream into a stalled one. Waits below
// are bounds on events, not sleeps.
const fast = {
  stallSeconds: 60,
  connectTimeoutSeconds: 60,
  reconnect: { initialMs: 300, maxMs: 2000, jitter: 0.5 },
  width: 160,
  height: 90,
  fps: 5,
  lines: LINE,
};
const BOUND_MS = 90_000;

describe('bad streams and bad config give clear errors and never stop other cameras', () => {
  let dir: string;
  let server: RtspServer;
  const sources: FrameSource[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cg-cam-errors-'));
    const clip = await plainH264Clip(dir, 20);
    server = new RtspServer({
      port: await freePort(),
      user: 'admin',
      password: 's3cret',
      mounts: {
        '/cam': clip,
        // A payload ffmpeg has no depayloader/decoder for (GStreamer's own RTP payload).
        '/gst': {
          launch:
            'videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=5/1 ! x264enc tune=zerolatency ! rtpgstpay name=pay0',
        },
      },
    });
    await server.start();
  });

  after(async () => {
    await Promise.all(sources.map((s) => s.stop()));
    await server.kill();
    await rm(dir, { recursive: true, force: true });
  });

  const open = (cfg: CameraConfigInput) => {
    const s = createFrameSource(CameraConfigSchema.parse(cfg));
    sources.push(s);
    let frames = 0;
    s.start(() => void frames++);
    return { source: s, frames: () => frames };
  };

  it('reports each failure in words and keeps the good camera streaming', async () => {
    const good = open({ id: 'good', kind: 'rtsp', url: server.url('/cam'), username: 'admin', password: 's3cret', ...fast });
    const wrongPath = open({ id: 'wrong-path', kind: 'rtsp', url: server.url('/nope'), username: 'admin', password: 's3cret', ...fast });
    const badAuth = open({ id: 'bad-auth', kind: 'rtsp', url: server.url('/cam'), username: 'admin', password: 'guess', ...fast });
    const codec = open({ id: 'codec', kind: 'rtsp', url: server.url('/gst'), username: 'admin', password: 's3cret', ...fast });
    const refused = open({ id: 'refused', kind: 'rtsp', url: `rtsp://127.0.0.1:${await freePort()}/cam`, ...fast });
    const missing = open({ id: 'missing-file', kind: 'file', path: join(dir, 'nope.mp4'), ...fast });
    const garbage = join(dir, 'garbage.mp4');
    await writeFile(garbage, Buffer.alloc(64 * 1024, 7));
    const junk = open({ id: 'junk-file', kind: 'file', path: garbage, ...fast });

    const errorOf = (s: FrameSource) => waitFor(`${s.cameraId} error`, BOUND_MS, () => s.health().error);
    assert.match(await errorOf(wrongPath.source), /stream not found at rtsp:\/\/admin:\*\*\*@127\.0\.0\.1:\d+\/nope/);
    const authError = await errorOf(badAuth.source);
    assert.match(authError, /authentication refused/);
    assert.doesNotMatch(authError, /guess/, 'the password never appears in messages');
    assert.match(await errorOf(codec.source), /no video it can decode/);
    assert.match(await errorOf(refused.source), new RegExp(`connection refused by rtsp://127\\.0\\.0\\.1:\\d+/cam`));
    assert.match(await errorOf(missing.source), /stream not found at .*nope\.mp4/);
    assert.match(await errorOf(junk.source), /no decodable video/);
    for (const s of [wrongPath, badAuth, codec, missing, junk]) assert.equal(s.source.health().state, 'failed', s.source.cameraId);
    assert.equal(refused.source.health().state, 'connecting', 'an unreachable camera is retried, not given up');

    // Meanwhile the good camera streams, and keeps streaming.
    await waitFor('good camera frames', BOUND_MS, () => good.frames() >= 10);
    const before = good.frames();
    await waitFor('more frames', BOUND_MS, () => good.frames() > before + 5);
    assert.equal(good.source.health().state, 'streaming');
    assert.equal(good.source.health().error, undefined);
    // Failing cameras are retried with backoff.
    await waitFor('retries', BOUND_MS, () => wrongPath.source.health().reconnects >= 2);
    // Stopped here, not at the end of the file: the next test's cameras do not share the RTSP server
    // and the CPU with these seven (on a loaded machine that kept its camera from streaming).
    await Promise.all(sources.splice(0).map((x) => x.stop()));
  });

  it('skips a camera whose config is invalid and runs the others', async () => {
    const events: unknown[] = [];
    const sup = new CameraSupervisor({ sink: (e) => void events.push(e), healthIntervalMs: 200 });
    const startedAt = Date.now();
    try {
      sup.start([
        { siteId: 'site-1', zoneId: 'zone-1', gateId: 'gate-1', camera: { id: 'bad-url', kind: 'rtsp', url: 'http://not-rtsp', ...fast } },
        { siteId: 'site-1', zoneId: 'zone-1', gateId: 'gate-1', camera: { id: 'no-lines', kind: 'file', path: 'x.mp4', lines: [] } },
        {
          siteId: 'site-1',
          zoneId: 'zone-1',
          gateId: 'gate-1',
          camera: { id: 'ok', kind: 'rtsp', url: server.url('/cam'), username: 'admin', password: 's3cret', ...fast },
        },
        {
          siteId: 'site-1',
          zoneId: 'zone-1',
          gateId: 'gate-1',
          camera: { id: 'denied', kind: 'rtsp', url: server.url('/cam'), username: 'admin', password: 'nope', ...fast },
        },
      ]);
      const byId = () => new Map(sup.health().map((h) => [h.cameraId, h]));
      assert.match(byId().get('bad-url')!.error!, /invalid camera config: camera\.url: url must be rtsp:\/\//);
      assert.match(byId().get('no-lines')!.error!, /a camera needs at least one counting line/);
      const say = (e: Error) => Promise.reject(new Error(`${e.message}; health: ${JSON.stringify([...byId().values()])}`));
      await waitFor('ok streaming', BOUND_MS, () => byId().get('ok')?.state === 'streaming').catch(say);
      await waitFor('denied failed', BOUND_MS, () => byId().get('denied')?.state === 'failed');
      assert.match(byId().get('denied')!.error!, /authentication refused/);
      // Frames keep coming: its last frame's time moves on (the measured fps, a 3 s window, needs two
      // frames within 3 s, which a loaded machine running the person model may not give — not asserted).
      const first = Date.parse(await waitFor('ok first frame', BOUND_MS, () => byId().get('ok')!.lastFrameAt));
      assert.ok(first >= startedAt, 'its last frame is one of this run');
      await waitFor('ok later frame', BOUND_MS, () => Date.parse(byId().get('ok')!.lastFrameAt!) > first);
    } finally {
      await sup.stop();
    }
  });
});
