import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { EdgeConfig } from './config/edge-config.schema.js';
import { EDGE_CONFIG } from './config/edge-config.token.js';
import { GateLinks } from './mqtt/gate-links.js';
import { OutboxService } from './outbox/outbox.service.js';

/**
 * What every part of the gate agent works with: the validated config, the MQTT link per gate and the
 * durable outbox. Global, so the feature modules (GateModule and EdgeModule's own services) take them
 * by constructor injection. None of them has a lifecycle hook, so being global (whose hooks Nest runs
 * first) changes no start-up order.
 */
@Global()
@Module({})
export class EdgeCoreModule {
  static forConfig(cfg: EdgeConfig): DynamicModule {
    return {
      module: EdgeCoreModule,
      providers: [{ provide: EDGE_CONFIG, useValue: cfg }, GateLinks, OutboxService],
      exports: [EDGE_CONFIG, GateLinks, OutboxService],
    };
  }
}
