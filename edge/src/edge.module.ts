import { Module, type DynamicModule } from '@nestjs/common';
import type { EdgeConfig } from './config/edge-config.schema.js';
import { CameraService } from './camera/camera.service.js';
import { MediaResponder } from './camera/media-responder.js';
import { EdgeCoreModule } from './edge-core.module.js';
import { GateModule } from './gate/gate.module.js';
import { GateStatusReporter } from './status/gate-status.reporter.js';
import { EdgeShutdown } from './edge-shutdown.service.js';

/** The gate agent: one validated config in, MQTT links per gate, the durable outbox, status reports, cameras and their face crops (served to the hub on request, erased on its command). */
@Module({})
export class EdgeModule {
  static forConfig(cfg: EdgeConfig): DynamicModule {
    return {
      module: EdgeModule,
      // The core (config, links, outbox) is global; GateModule's lanes bootstrap before this module's
      // services (Nest runs the hooks of deeper modules first), as the status reporter reads them.
      imports: [EdgeCoreModule.forConfig(cfg), GateModule],
      providers: [GateStatusReporter, CameraService, MediaResponder, EdgeShutdown],
      exports: [GateStatusReporter, CameraService],
    };
  }
}
