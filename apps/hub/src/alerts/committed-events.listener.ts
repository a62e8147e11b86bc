import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { EventsCommitted, HubEvents } from '../domain-events/ingest-events.js';
import { AlertChecker } from './alert-checker.service.js';

/** How ingest reaches the alerts: newly committed events go to the checker's queue (it returns at once). */
@Injectable()
export class CommittedEventsAlerts {
  constructor(private readonly checker: AlertChecker) {}

  @OnEvent(HubEvents.eventsCommitted)
  onCommitted({ events }: EventsCommitted): void {
    if (events.length) this.checker.enqueue(events);
  }
}
