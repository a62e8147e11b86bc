import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  CountsPayloadSchema,
  CountsQuerySchema,
  CountsResponseSchema,
  IdSchema,
  type CountsQuery,
} from '../../../../libs/contracts/src/index.js';
import { Access } from '../auth/access.decorators.js';
import { ALL_ROLES } from '../auth/roles.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { CountsRepository } from './counts.repository.js';
import { HeadcountService } from './headcount.service.js';

const TodayQuerySchema = z.strictObject({ siteId: IdSchema });

@ApiTags('counts')
@ApiBearerAuth()
@Controller('api/counts')
export class CountsController {
  constructor(
    private readonly counts: CountsRepository,
    private readonly headcounts: HeadcountService,
    private readonly registry: SiteRegistry,
  ) {}

  /** Entries and exits over a range, in buckets of 1m/5m/15m/1h/1d aligned to local midnight. */
  @Get()
  @Access(ALL_ROLES, { query: 'siteId' })
  @ApiFromSchemas(CountsQuerySchema, CountsResponseSchema)
  async range(@Query(new ZodPipe(CountsQuerySchema)) q: CountsQuery) {
    this.requireSite(q.siteId);
    return this.counts.range(q);
  }

  /** Today's totals (local day) per gate, zone and site, as the IOC wall shows them. */
  @Get('today')
  @Access(ALL_ROLES, { query: 'siteId' })
  @ApiFromSchemas(TodayQuerySchema, CountsPayloadSchema)
  async today(@Query(new ZodPipe(TodayQuerySchema)) q: z.infer<typeof TodayQuerySchema>) {
    this.requireSite(q.siteId);
    return this.headcounts.snapshot(q.siteId);
  }

  private requireSite(siteId: string): void {
    if (!this.registry.hasSite(siteId)) throw new NotFoundException(`site ${siteId} is not registered`);
  }
}
