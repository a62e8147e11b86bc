import { Controller } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { IngestPipeline } from './ingest-pipeline.service.js';
import { IngestPatterns, MqttIngestContext } from './mqtt-ingest.transport.js';

/**
 * The ingest transport's handlers (MqttIngestTransport). Each returns only when its message is
 * handled — an event committed, or dead-lettered — and the transport acknowledges it then.
 */
@Controller()
export class IngestController {
  constructor(private readonly pipeline: IngestPipeline) {}

  @EventPattern(IngestPatterns.gateEvents)
  gateEvent(@Ctx() ctx: MqttIngestContext): Promise<void> {
    return this.pipeline.accept(ctx.getTopic(), ctx.getPayload());
  }

  @EventPattern(IngestPatterns.gateStatus)
  gateStatus(@Ctx() ctx: MqttIngestContext): Promise<void> {
    return this.pipeline.accept(ctx.getTopic(), ctx.getPayload());
  }

  /** Not a gate events or status topic: the pipeline dead-letters it with the reason. */
  @EventPattern(IngestPatterns.other)
  other(@Ctx() ctx: MqttIngestContext): Promise<void> {
    return this.pipeline.accept(ctx.getTopic(), ctx.getPayload());
  }
}
