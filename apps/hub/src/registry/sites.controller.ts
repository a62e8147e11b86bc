import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { SiteInfoSchema } from '../../../../libs/contracts/src/index.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { SiteRegistry } from './site-registry.service.js';

@ApiTags('sites')
@Controller('api/sites')
export class SitesController {
  constructor(private readonly registry: SiteRegistry) {}

  /** Sites with their zones and gates, and whether each gate's agent is online. */
  @Get()
  @ApiFromSchemas(null, z.array(SiteInfoSchema))
  list() {
    return this.registry.list();
  }
}
