import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GateEventSchema, type GateEvent } from '../../libs/contracts/src/index.js';
import { CameraSupervisor } from '../../edge/src/camera/camera-supervisor.js';
import { generateClip, type ClipSpec } from '../../scripts/clips/clip-generator.js';
import { freePort } from '../support/ports.js';
import { RtspServer } from './rtsp-server.js';
import { waitFor } from './test-clips.js';

/** One entry (1.5–5 s) and one exit (6–9.5 s) per play of the stream. */
const CLIP: ClipSpec = {
  width: 640,
  height: 360,
  fps: 10,
  seconds: 11,
  walks: [
    {
      person: 'man',
      floorY: 350,
      keys: [
        [1.5, 40],
        [5, 480],
      ],
    },
    {
      person: 'woman',
      floorY: 340,
      keys: [
        [6, 520],
        [9.5, 60],
      ],
    },
  ],
};

describe('RTSP camera: real server on 127.0.0.1, killed and restarted', () => {
  let dir: string;
  let server: RtspServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cg-cam-rtsp-'));
    const clip = await generateClip(dir, 'gate', CLIP);
    server = new RtspServer({ port: await freePort(), mounts: { '/gate': clip.path } });
    await server.start();
  });

  after(async () => {
    await server.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts, reconnects by itself after the server dies, and keeps counting', async () => {
    const events: GateEvent[] = [];
    const sup = new CameraSupervisor({ sink: (e) => void events.push(e), healthIntervalMs: 200, mediaDir: join(dir, 'media') });
    try {
      sup.start([
        {
          siteId: 'site-1',
          zoneId: 'zone-1',
          gateId: 'gate-1',
          camera: {
            id: 'gate-cam',
            kind: 'rtsp',
            url: server.url('/gate'),
            width: 640,
            height: 360,
            fps: 5,
            stallSeconds: 3,
            connectTimeoutSeconds: 5,
            reconnect: { initialMs: 200, maxMs: 1500, jitter: 0.5 },
            lines: [{ id: 'door', from: { x: 0.5, y: 0 }, to: { x: 0.5, y: 1 }, inside: { x: 0.9, y: 0.5 } }],
          },
        },
      ]);
      const health = () => sup.health()[0]!;
      await waitFor('first entry over RTSP', 60_000, () => events.some((e) => e.direction === 'entry'));
      const first = events.find((e) => e.direction === 'entry')!;
      assert.equal(GateEventSchema.parse(first).source, 'camera');
      assert.match(first.trackId!, /^gate-cam:\d+$/);
      assert.equal(first.gateId, 'gate-1');

      await server.kill();
      await waitFor('camera notices the dead server', 15_000, () => health().state !== 'streaming' && health());
      const countAtKill = events.length;
      await new Promise((r) => setTimeout(r, 1500));
      await server.start();

      await waitFor('camera streaming again', 30_000, () => health().state === 'streaming');
      assert.ok(health().reconnects >= 1, `reconnects ${health().reconnects}`);
      // The restarted server plays the clip from the start: the man enters again.
      await waitFor('an entry after the reconnect', 60_000, () => events.slice(countAtKill).some((e) => e.direction === 'entry'));
      for (const e of events) GateEventSchema.parse(e);
      assert.equal(new Set(events.map((e) => e.eventId)).size, events.length, 'event ids are unique');
    } finally {
      await sup.stop();
    }
  });
});
