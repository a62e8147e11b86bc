import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CAMERA_VIEW, CameraFrameSchema, CameraViewLeaseSchema, topics, type CameraHealth } from '../../../libs/contracts/src/index.js';
import { GateLinks } from '../mqtt/gate-links.js';
import { EDGE_CONFIG } from '../config/edge-config.token.js';
import type { EdgeConfig } from '../config/edge-config.schema.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { GateStatusReporter } from '../status/gate-status.reporter.js';
import { dirname } from 'node:path';
import { CameraSupervisor } from './camera-supervisor.js';
import { EncryptedMediaStore, loadMediaKey, mediaDirOf } from './media-store.js';
import { resolveFfmpeg } from './ffmpeg-binary.js';

/**
 * The edge's cameras: every camera listed under a gate in the edge config runs in its own worker
 * thread; each line crossing becomes a GateEvent in the outbox, and camera health joins the gate's
 * status message. Add to EdgeModule's providers to switch it on.
 */
@Injectable()
export class CameraService implements OnApplicationBootstrap {
  private readonly log = new Logger('Cameras');
  private supervisor: CameraSupervisor | undefined;
  private media: EncryptedMediaStore | undefined;
  private retention: NodeJS.Timeout | undefined;

  constructor(
    @Inject(EDGE_CONFIG) private readonly cfg: EdgeConfig,
    private readonly outbox: OutboxService,
    private readonly status: GateStatusReporter,
    private readonly links: GateLinks,
  ) {}

  onApplicationBootstrap(): void {
    const assignments = this.cfg.gates.flatMap((g) =>
      g.cameras.map((camera) => ({ siteId: this.cfg.site.id, zoneId: g.zone, gateId: g.id, camera })),
    );
    if (assignments.length === 0) return;
    const gateOf = new Map(assignments.map((a) => [a.camera.id, a.gateId]));
    const mediaDir = mediaDirOf();
    const mediaKey = loadMediaKey(dirname(this.cfg.outbox.path));
    this.media = new EncryptedMediaStore(mediaDir, mediaKey);
    this.startRetention();
    this.supervisor = new CameraSupervisor({
      sink: (event) => this.outbox.enqueue(event),
      mediaDir,
      mediaKey,
      log: (cameraId, message) => this.log.log(`${cameraId}: ${message}`),
      onViewFrame: (cameraId, f) => {
        const gateId = gateOf.get(cameraId);
        const client = gateId ? this.links.client(gateId) : undefined;
        // Live view only: never queued, dropped while the broker is away.
        if (!gateId || !client?.connected) return;
        const msg = CameraFrameSchema.parse({
          siteId: this.cfg.site.id,
          gateId,
          cameraId,
          seq: f.seq,
          at: new Date(f.at).toISOString(),
          width: f.width,
          height: f.height,
          tracks: f.tracks,
          jpeg: Buffer.from(f.jpeg.buffer, f.jpeg.byteOffset, f.jpeg.byteLength).toString('base64'),
        });
        client.publish(topics.gateCameraFrames(this.cfg.site.id, gateId, cameraId), JSON.stringify(msg), { qos: 0 });
        this.viewFramesSent++;
      },
    });
    this.supervisor.start(assignments);
    this.listenForViewLeases(gateOf);
    for (const g of this.cfg.gates) {
      this.status.cameraHealth.set(g.id, (): CameraHealth[] =>
        (this.supervisor?.health() ?? []).filter((h) => gateOf.get(h.cameraId) === g.id),
      );
    }
    this.log.log(`${assignments.length} camera(s) started, one worker thread each; ${describeFfmpeg()}`);
  }

  /** Live-view frames published since start (for tests and metrics). */
  viewFramesSent = 0;

  /**
   * The hub asks for a camera's live view with a lease (`…/camera-view`): frames go out only until
   * it expires, so a hub that crashed or a viewer who left stops the stream by itself. A lease is
   * honoured for at most CAMERA_VIEW.maxLeaseMs from now, for the gate's own cameras only.
   */
  private listenForViewLeases(gateOf: Map<string, string>): void {
    for (const g of this.cfg.gates) {
      if (!g.cameras.length) continue;
      const client = this.links.client(g.id);
      const topic = topics.gateCameraView(this.cfg.site.id, g.id);
      const subscribe = () =>
        client.subscribe(topic, { qos: 0 }, (e) => e && this.log.warn(`gate ${g.id}: camera view subscription failed: ${e.message}`));
      client.on('connect', subscribe);
      if (client.connected) subscribe();
      client.on('message', (t, payload) => {
        if (t !== topic) return;
        let json: unknown;
        try {
          json = JSON.parse(payload.toString());
        } catch {
          return this.log.warn(`gate ${g.id}: camera view lease is not JSON`);
        }
        const r = CameraViewLeaseSchema.safeParse(json);
        if (!r.success || r.data.siteId !== this.cfg.site.id || r.data.gateId !== g.id || gateOf.get(r.data.cameraId) !== g.id)
          return this.log.warn(`gate ${g.id}: camera view lease refused`);
        const until = Math.min(Date.parse(r.data.until), Date.now() + CAMERA_VIEW.maxLeaseMs);
        this.supervisor?.view(r.data.cameraId, until, Math.min(r.data.fps ?? CAMERA_VIEW.defaultFps, CAMERA_VIEW.maxFps));
      });
    }
  }

  /**
   * Face crops are personal data: deleted `CG_MEDIA_RETENTION_DAYS` (default 30, like the hub's crop
   * references) after they were taken, at start and every `CG_MEDIA_RETENTION_INTERVAL_MIN` (60).
   */
  private startRetention(): void {
    const days = Number(process.env.CG_MEDIA_RETENTION_DAYS ?? 30);
    const everyMin = Number(process.env.CG_MEDIA_RETENTION_INTERVAL_MIN ?? 60);
    if (!(days > 0) || !(everyMin > 0)) return;
    const run = () =>
      void this.media!.purge(Date.now() - days * 86_400_000).then(
        (n) => n && this.log.log(`retention: ${n} face crop(s) older than ${days} day(s) deleted`),
        (e: Error) => this.log.error(`retention of face crops failed: ${e.message}`),
      );
    run();
    this.retention = setInterval(run, everyMin * 60_000);
    this.retention.unref();
  }

  /** Health of every camera (for /metrics and the status message). */
  health(): CameraHealth[] {
    return this.supervisor?.health() ?? [];
  }

  /** Stops every camera worker and its ffmpeg (called by the edge's shutdown sequence). */
  async stop(): Promise<void> {
    clearInterval(this.retention);
    await this.supervisor?.stop();
  }
}

/** Which ffmpeg the cameras run, for the start-up log (or why there is none). */
function describeFfmpeg(): string {
  try {
    const f = resolveFfmpeg();
    return `ffmpeg ${f.version} (${f.origin}: ${f.path})`;
  } catch (e) {
    return (e as Error).message;
  }
}
