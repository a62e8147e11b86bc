import { Module, type DynamicModule } from '@nestjs/common';
import type { EdgeConfig } from './config/edge-config.schema.js';
import { CameraService } from './camera/camera.service.js';
import { MediaResponder } from './camera/media-responder.js';
import { EDGE_CONFIG } from './config/edge-config.token.js';
import { GateModule } from './gate/gate.module.js';
import { GateLinks } from './mqtt/gate-links.js';
import { OutboxService } from './outbox/outbox.service.js';
import { GateStatusReporter } from './status/gate-status.reporter.js';
import { EdgeShutdown } from './edge-shutdown.service.js';

/** The gate agent: one validated config in, MQTT links per gate, the durable outbox, status reports, cameras and their face crops (served to the hub on request, erased on its command). */
@Module({})
export class EdgeModule {
  static forConfig(cfg: EdgeConfig): DynamicModule {
    return {
      module: EdgeModule,
      imports: [GateModule],
      providers: [{ provide: EDGE_CONFIG, useValue: cfg }, GateLinks, OutboxService, GateStatusReporter, CameraService, MediaResponder, EdgeShutdown],
      exports: [EDGE_CONFIG, OutboxService, GateStatusReporter, GateLinks, CameraService],
    };
  }
}
