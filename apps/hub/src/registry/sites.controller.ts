import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { SiteInfoSchema } from '../../../../libs/contracts/src/index.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { canAccessSite, type Principal } from '../auth/principal.js';
import { ALL_ROLES } from '../auth/roles.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { SiteRegistry } from './site-registry.service.js';

@ApiTags('sites')
@ApiBearerAuth()
@Controller('api/sites')
export class SitesController {
  constructor(private readonly registry: SiteRegistry) {}

  /** The caller's sites with their zones and gates, and whether each gate's agent is online. */
  @Get()
  @Access(ALL_ROLES)
  @ApiFromSchemas(null, z.array(SiteInfoSchema))
  async list(@CurrentPrincipal() p: Principal) {
    return (await this.registry.list(p)).filter((s) => canAccessSite(p, s.siteId));
  }
}
