import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { io, type Socket } from 'socket.io-client';
import { stringify } from 'yaml';
import { hubConfigFromEnv } from '../../apps/hub/src/config/hub-config.js';
import { startHub, type HubApp } from '../../apps/hub/src/hub-app.js';
import { CameraService } from '../../edge/src/camera/camera.service.js';
import { EdgeConfigSchema } from '../../edge/src/config/edge-config.schema.js';
import { startEdge, type EdgeApp } from '../../edge/src/edge-app.js';
import { CAMERA_VIEW, SocketEvents, type CameraFramePayload, type SiteInfo, type SitesConfig } from '../../libs/contracts/src/index.js';
import { authedFetch, authedJson, credentialedEdgeConfig, login, TEST_ADMIN_CONFIG } from '../support/hub-auth.js';
import { waitFor } from '../support/wait-for.js';

const CORRIDOR = resolve('config/demo/media/corridor.mp4');

/** A socket of one principal that records every camera frame it is sent. */
async function viewer(url: string, auth: { token: string } | { apiKey: string }) {
  const frames: (CameraFramePayload & { received: number })[] = [];
  const s: Socket = io(url, { transports: ['websocket'], auth, reconnection: false });
  s.on(SocketEvents.cameraFrame, (f: CameraFramePayload) => frames.push({ ...f, received: Date.now() }));
  await new Promise<void>((ok, fail) => {
    s.once('connect', () => ok());
    s.once('connect_error', fail);
  });
  const watch = (gateId = 'g1', cameraId = 'cam-1') =>
    s.emitWithAck(SocketEvents.cameraWatch, { siteId: SITE, gateId, cameraId }) as Promise<{ ok: boolean; error?: string }>;
  return { s, frames, watch };
}

const SITE = `cam-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;

/**
 * Live camera tiles end to end: a real hub (embedded broker enforcing the gate ACL), a real edge whose
 * camera worker reads the corridor clip (a file source, like a camera), view leases, the per-site rule
 * for who may watch, the audit trail, and the edge going quiet once nobody renews the lease.
 */
test(
  'live camera tile: frames only to allowed roles, bounded size and rate, audited; the lease expiry stops the edge',
  { timeout: 180_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-camview-'));
    const sites: SitesConfig = {
      sites: [
        {
          id: SITE,
          name: 'Ga Hà Nội (camera)',
          kind: 'station',
          zones: [{ id: 'sanh-a', name: 'Sảnh A' }],
          gates: [
            { id: 'g1', zone: 'sanh-a', name: 'Cổng 1', cameras: ['cam-1'] },
            { id: 'g2', zone: 'sanh-a', name: 'Cổng 2' },
          ],
          // The default rule, spelled out: operator, security and admin; no wall keys.
          liveCameras: { roles: ['admin', 'security', 'operator'], wallKeys: false },
        },
      ],
    };
    writeFileSync(join(dir, 'sites.yaml'), stringify(sites));
    const hub: HubApp = await startHub(
      hubConfigFromEnv(
        {},
        {
          port: 0,
          embeddedMqttPort: 0,
          embeddedMqttHost: '127.0.0.1',
          sitesFile: join(dir, 'sites.yaml'),
          sqlitePath: join(dir, 'hub.db'),
          dataKeyFile: join(dir, 'keys.json'),
          jwtSecretFile: join(dir, 'jwt.key'),
          ...TEST_ADMIN_CONFIG,
        },
      ),
      false,
    );
    let edge: EdgeApp | undefined;
    const sockets: Socket[] = [];
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const admin = authedFetch(adminToken);
      for (const [username, role] of [
        ['op-cam', 'operator'],
        ['man-cam', 'manager'],
      ] as const) {
        const r = await admin(`${hub.url}/api/users`, {
          method: 'POST',
          body: { mustChangePassword: false, username, password: `${username}-password-1`, role, siteIds: [SITE] },
        });
        assert.equal(r.status, 201, await r.text());
      }
      const { key } = (await (
        await admin(`${hub.url}/api/api-keys`, { method: 'POST', body: { name: 'tường camera', siteIds: [SITE] } })
      ).json()) as { key: string };

      const cfg = EdgeConfigSchema.parse({
        site: { id: SITE, name: 'Ga Hà Nội (camera)', kind: 'station' },
        agent: { id: 'edge-camview' },
        mqtt: { url: `mqtt://127.0.0.1:${hub.mqttPort}`, reconnectMs: 200 },
        outbox: { path: join(dir, 'outbox.db'), synchronous: 'NORMAL' },
        zones: [{ id: 'sanh-a', name: 'Sảnh A' }],
        gates: [
          {
            id: 'g1',
            zone: 'sanh-a',
            name: 'Cổng 1',
            // The corridor clip at its own speed, decoded at 1280×720: the tile must come down to 640 px.
            cameras: [
              {
                id: 'cam-1',
                kind: 'file',
                path: CORRIDOR,
                loop: true,
                realtime: true,
                width: 1280,
                height: 720,
                fps: 6,
                detectEvery: 2,
                lines: [{ id: 'cua', from: { x: 0.5, y: 0.05 }, to: { x: 0.5, y: 0.98 }, inside: { x: 0.9, y: 0.6 } }],
              },
            ],
          },
          { id: 'g2', zone: 'sanh-a', name: 'Cổng 2' },
        ],
        statusIntervalMs: 1000,
      });
      process.env.CG_MEDIA_DIR = join(dir, 'media');
      edge = await startEdge(await credentialedEdgeConfig(hub.url, cfg), false);
      const cameras = edge.ctx.get(CameraService);
      // The camera streams and the hub has its status (so the camera is known) before anyone watches.
      await waitFor(
        async () =>
          (
            await authedJson(adminToken)<{ gateId: string; cameras?: { cameraId: string; state: string }[] }[]>(
              `${hub.url}/api/gate-status?siteId=${SITE}`,
            )
          ).find((g) => g.gateId === 'g1')?.cameras?.[0]?.state,
        (s) => s === 'streaming',
        60_000,
        'camera streaming',
      );
      assert.equal(cameras.viewFramesSent, 0, 'no frames while nobody watches');

      const sitesOf = async (token: string) => ((await (await authedFetch(token)(`${hub.url}/api/sites`)).json()) as SiteInfo[])[0]!;
      const op = await viewer(hub.url, { token: (await login(hub.url, 'op-cam', 'op-cam-password-1')).accessToken });
      const manToken = (await login(hub.url, 'man-cam', 'man-cam-password-1')).accessToken;
      const man = await viewer(hub.url, { token: manToken });
      const wall = await viewer(hub.url, { apiKey: key });
      sockets.push(op.s, man.s, wall.s);

      await t.test('the sites list says who may watch', async () => {
        assert.equal((await sitesOf(adminToken)).liveCameras, true);
        assert.equal((await sitesOf(manToken)).liveCameras, false);
        assert.deepEqual((await sitesOf(adminToken)).gates.find((g) => g.gateId === 'g1')?.cameras, ['cam-1']);
      });

      await t.test('a manager and a wall key not enabled for the site are refused; bad requests are answered', async () => {
        assert.deepEqual(await man.watch(), { ok: false, error: `not allowed to watch the cameras of site ${SITE}` });
        assert.deepEqual(await wall.watch(), { ok: false, error: `not allowed to watch the cameras of site ${SITE}` });
        assert.equal((await op.watch('g1', 'cam-9')).ok, false, 'a camera the sites file does not list');
        assert.equal((await op.watch('g9')).ok, false, 'an unknown gate');
        assert.equal(((await op.s.emitWithAck(SocketEvents.cameraWatch, { siteId: SITE })) as { ok: boolean }).ok, false);
      });

      let started = 0;
      await t.test('the operator receives annotated frames: JPEG ≤ 64 KB, ≤ 640 px, at most 3 a second', async () => {
        assert.deepEqual(await op.watch(), { ok: true });
        started = Date.now();
        await waitFor(
          () => op.frames.length,
          (n) => n >= 1,
          30_000,
          'first frame',
        );
        const first = op.frames[0]!.received;
        await new Promise((r) => setTimeout(r, 6000));
        const window = op.frames.filter((f) => f.received >= first && f.received < first + 6000);
        assert.ok(window.length >= 4, `only ${window.length} frames in 6 s`);
        assert.ok(window.length <= 6 * CAMERA_VIEW.maxFps + 1, `${window.length} frames in 6 s`);
        for (let i = 1; i < op.frames.length; i++)
          assert.ok(op.frames[i]!.received - op.frames[i - 1]!.received >= 250, 'never two frames closer than the rate allows');
        for (const f of op.frames) {
          const jpeg = Buffer.from(f.jpeg as Uint8Array);
          assert.ok(jpeg.length <= CAMERA_VIEW.maxJpegBytes, `frame of ${jpeg.length} bytes`);
          assert.equal(f.siteId, SITE);
          assert.equal(f.cameraId, 'cam-1');
          const meta = await sharp(jpeg).metadata();
          assert.equal(meta.format, 'jpeg');
          assert.deepEqual([meta.width, meta.height, f.width, f.height], [640, 360, 640, 360], 'downscaled from 1280×720');
        }
        // The counting line is drawn: its yellow dashes down the middle column of some frame.
        const { data, info } = await sharp(Buffer.from(op.frames.at(-1)!.jpeg as Uint8Array))
          .raw()
          .toBuffer({ resolveWithObject: true });
        let yellow = 0;
        for (let y = 20; y < info.height - 20; y++) {
          for (let x = 317; x <= 323; x++) {
            const i = (y * info.width + x) * info.channels;
            if (data[i]! > 200 && data[i + 1]! > 170 && data[i + 2]! < 90) {
              yellow++;
              break;
            }
          }
        }
        assert.ok(yellow > 100, `counting line drawn (${yellow} yellow rows)`);
        assert.ok(
          op.frames.some((f) => f.tracks > 0),
          'people of the corridor are tracked and drawn',
        );
        const bytes = op.frames.map((f) => (f.jpeg as Uint8Array).byteLength);
        t.diagnostic(
          `${op.frames.length} frames, ${Math.round(bytes.reduce((a, b) => a + b, 0) / bytes.length / 1024)} KB each on average, largest ${Math.round(Math.max(...bytes) / 1024)} KB`,
        );
        assert.equal(man.frames.length, 0, 'no frame reached the manager');
        assert.equal(wall.frames.length, 0, 'no frame reached the wall key');
      });

      await t.test('every start of viewing is audited: who, which camera, when', async () => {
        const audit = await authedJson(adminToken)<{ at: string; actor: string; action: string; subjectId: string; siteId: string }[]>(
          `${hub.url}/api/audit?siteId=${SITE}&action=camera.view`,
        );
        assert.equal(audit.length, 1, JSON.stringify(audit));
        assert.equal(audit[0]!.actor, 'op-cam');
        assert.equal(audit[0]!.subjectId, 'g1/cam-1');
        assert.ok(Math.abs(Date.parse(audit[0]!.at) - started) < 10_000);
      });

      await t.test('nobody watching: the lease runs out and the edge stops sending', async () => {
        const sentWhileWatched = cameras.viewFramesSent;
        assert.ok(sentWhileWatched >= 4);
        op.s.disconnect();
        // The hub stops renewing at its next round; the edge honours the last lease to its end, no longer.
        await new Promise((r) => setTimeout(r, CAMERA_VIEW.leaseMs + CAMERA_VIEW.renewMs + 2000));
        const after = cameras.viewFramesSent;
        await new Promise((r) => setTimeout(r, 4000));
        assert.equal(cameras.viewFramesSent, after, 'the edge still sends frames after its lease expired');
        assert.ok(after > sentWhileWatched, 'it kept sending while the lease held');
      });
    } finally {
      for (const s of sockets) s.disconnect();
      await edge?.close();
      await hub.close();
    }
  },
);
