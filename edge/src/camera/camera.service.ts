import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { CameraHealth } from '../../../libs/contracts/src/index.js';
import { EDGE_CONFIG } from '../config/edge-config.token.js';
import type { EdgeConfig } from '../config/edge-config.schema.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { GateStatusReporter } from '../status/gate-status.reporter.js';
import { CameraSupervisor } from './camera-supervisor.js';
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

  constructor(
    @Inject(EDGE_CONFIG) private readonly cfg: EdgeConfig,
    private readonly outbox: OutboxService,
    private readonly status: GateStatusReporter,
  ) {}

  onApplicationBootstrap(): void {
    const assignments = this.cfg.gates.flatMap((g) =>
      g.cameras.map((camera) => ({ siteId: this.cfg.site.id, zoneId: g.zone, gateId: g.id, camera })),
    );
    if (assignments.length === 0) return;
    const gateOf = new Map(assignments.map((a) => [a.camera.id, a.gateId]));
    this.supervisor = new CameraSupervisor({
      sink: (event) => this.outbox.enqueue(event),
      mediaDir: process.env.CG_MEDIA_DIR ?? './data/media',
      log: (cameraId, message) => this.log.log(`${cameraId}: ${message}`),
    });
    this.supervisor.start(assignments);
    for (const g of this.cfg.gates) {
      this.status.cameraHealth.set(g.id, (): CameraHealth[] =>
        (this.supervisor?.health() ?? []).filter((h) => gateOf.get(h.cameraId) === g.id),
      );
    }
    this.log.log(`${assignments.length} camera(s) started, one worker thread each; ${describeFfmpeg()}`);
  }

  /** Health of every camera (for /metrics and the status message). */
  health(): CameraHealth[] {
    return this.supervisor?.health() ?? [];
  }

  /** Stops every camera worker and its ffmpeg (called by the edge's shutdown sequence). */
  async stop(): Promise<void> {
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
