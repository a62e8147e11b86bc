import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { EventsCommitted, HubEvents } from '../domain-events/ingest-events.js';
import { MetricsService } from './metrics.service.js';

/** The ingest's Prometheus figures, from its domain events. */
@Injectable()
export class IngestMetrics {
  constructor(private readonly metrics: MetricsService) {}

  @OnEvent(HubEvents.eventsCommitted)
  onCommitted(batch: EventsCommitted): void {
    this.metrics.batchSeconds.observe(batch.seconds);
    this.metrics.batchSize.observe(batch.received);
    this.metrics.ingested.inc({ result: 'stored' }, batch.events.length);
    this.metrics.ingested.inc({ result: 'duplicate' }, batch.received - batch.events.length);
  }

  @OnEvent(HubEvents.ingestRetry)
  onRetry(): void {
    this.metrics.storeRetries.inc();
  }
}
