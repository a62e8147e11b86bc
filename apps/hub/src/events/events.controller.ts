import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { EventPageSchema, EventSearchQuerySchema, type EventSearchQuery } from '../../../../libs/contracts/src/index.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { USER_ROLES } from '../auth/roles.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { EventsRepository } from './events.repository.js';

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/events')
export class EventsController {
  constructor(private readonly events: EventsRepository) {}

  /** Paged event search, newest first, within the caller's sites; identity details are not part of this listing. */
  @Get()
  @Access(USER_ROLES, { query: 'siteId' })
  @ApiFromSchemas(EventSearchQuerySchema, EventPageSchema)
  search(@CurrentPrincipal() p: Principal, @Query(new ZodPipe(EventSearchQuerySchema)) q: EventSearchQuery) {
    // Without a siteId the guard has nothing to check: limit the search to the caller's grants.
    return this.events.search(q, q.siteId || p.siteIds === '*' ? undefined : p.siteIds);
  }
}
