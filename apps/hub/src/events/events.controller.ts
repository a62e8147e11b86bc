import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { EventPageSchema, EventSearchQuerySchema, type EventSearchQuery } from '../../../../libs/contracts/src/index.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { EventsRepository } from './events.repository.js';

@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(private readonly events: EventsRepository) {}

  /** Paged event search, newest first; identity details are not part of this listing. */
  @Get()
  @ApiFromSchemas(EventSearchQuerySchema, EventPageSchema)
  search(@Query(new ZodPipe(EventSearchQuerySchema)) q: EventSearchQuery) {
    return this.events.search(q);
  }
}
