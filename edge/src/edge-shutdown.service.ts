import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { CameraService } from './camera/camera.service.js';
import { EDGE_CONFIG } from './config/edge-config.token.js';
import type { EdgeConfig } from './config/edge-config.schema.js';
import { GateLanesService } from './gate/gate-lanes.service.js';
import { GateLinks } from './mqtt/gate-links.js';
import { OutboxService } from './outbox/outbox.service.js';
import { GateStatusReporter } from './status/gate-status.reporter.js';

/**
 * The edge's one shutdown sequence, each step awaited before the next, so nothing that still runs can
 * touch what is already closed:
 *   1. lanes (a cycle cut short records its `lane_closed` decision) and their devices,
 *   2. cameras (worker threads and their ffmpeg),
 *   3. each gate says "offline" (bounded: a broker going down with us never answers),
 *   4. the outbox takes no new events and publishes nothing new; it waits, bounded, for the PUBACKs
 *      already owed and deletes those rows,
 *   5. the MQTT links close,
 *   6. the outbox store closes last. Rows not acknowledged stay for the next start.
 * It is the only shutdown hook on the edge; the services it calls have plain `stop`/`close` methods.
 */
@Injectable()
export class EdgeShutdown implements BeforeApplicationShutdown {
  private readonly log = new Logger('Shutdown');
  private done: Promise<void> | null = null;

  constructor(
    @Inject(EDGE_CONFIG) private readonly cfg: EdgeConfig,
    private readonly lanes: GateLanesService,
    private readonly cameras: CameraService,
    private readonly status: GateStatusReporter,
    private readonly outbox: OutboxService,
    private readonly links: GateLinks,
  ) {}

  beforeApplicationShutdown(): Promise<void> {
    this.done ??= this.run();
    return this.done;
  }

  private async run(): Promise<void> {
    await this.step('lanes', () => this.lanes.stop());
    await this.step('cameras', () => this.cameras.stop());
    await this.step('status', () => this.status.sayOffline());
    await this.step('outbox', () => this.outbox.quiesce(this.cfg.outbox.shutdownAckWaitMs));
    await this.step('mqtt', () => this.links.close());
    await this.step('store', () => this.outbox.close());
  }

  /** A step that fails is logged and the sequence goes on: later steps must still release their resources. */
  private async step(name: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.log.error(`shutdown step "${name}" failed: ${(e as Error).message}`);
    }
  }
}
