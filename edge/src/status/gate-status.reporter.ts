import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { topics, type CameraHealth, type GateStatus } from '../../../libs/contracts/src/index.js';
import { EDGE_CONFIG } from '../config/edge-config.token.js';
import type { EdgeConfig } from '../config/edge-config.schema.js';
import { GateLanesService } from '../gate/gate-lanes.service.js';
import { GateLinks } from '../mqtt/gate-links.js';
import { OutboxService } from '../outbox/outbox.service.js';

/** Publishes each gate's retained status on connect and every `statusIntervalMs`. */
@Injectable()
export class GateStatusReporter implements OnApplicationBootstrap {
  private timer: NodeJS.Timeout | null = null;
  /** Camera health per gate, filled in by the camera side when it runs. */
  readonly cameraHealth = new Map<string, () => CameraHealth[]>();

  constructor(
    @Inject(EDGE_CONFIG) private readonly cfg: EdgeConfig,
    private readonly links: GateLinks,
    private readonly outbox: OutboxService,
    /** QR inputs and card readers of the gate's lanes ride on its status (and become the hub's cg_lane_device_up). */
    private readonly lanes: GateLanesService,
  ) {}

  onApplicationBootstrap(): void {
    for (const link of this.links.links()) link.onConnect(() => this.publish(link.gateId, 'online'));
    this.timer = setInterval(() => {
      for (const link of this.links.links()) this.publish(link.gateId, 'online');
    }, this.cfg.statusIntervalMs);
    this.timer.unref();
  }

  private publish(gateId: string, state: GateStatus['state']): void {
    const link = this.links.link(gateId);
    if (!link.connected) return;
    const status: GateStatus = {
      siteId: this.cfg.site.id,
      gateId,
      state,
      at: new Date().toISOString(),
      agentVersion: this.cfg.agent.version,
      outboxDepth: this.outbox.depth(),
      cameras: this.cameraHealth.get(gateId)?.() ?? [],
      ...this.lanes.laneDevices(gateId),
    };
    link.publish(topics.gateStatus(this.cfg.site.id, gateId), JSON.stringify(status), { retain: true });
  }

  /** A clean shutdown says "offline" itself instead of leaving it to the last will (which covers a dead broker). */
  async sayOffline(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // A broker going down with us never acknowledges: do not hold the shutdown for it.
    const giveUp = new Promise<void>((r) => setTimeout(r, 2000).unref());
    const said = Promise.all(
      this.links.links().map((link) =>
        link.connected
          ? link
              .publishAsync(
                topics.gateStatus(this.cfg.site.id, link.gateId),
                JSON.stringify({
                  siteId: this.cfg.site.id,
                  gateId: link.gateId,
                  state: 'offline',
                  at: new Date().toISOString(),
                } satisfies GateStatus),
                { retain: true },
              )
              .catch(() => undefined)
          : undefined,
      ),
    );
    await Promise.race([said, giveUp]);
  }
}
