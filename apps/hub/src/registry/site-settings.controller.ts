import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { SiteConfigSchema, SiteSettingsListSchema, SiteSettingsSchema, type SiteSettings } from '../../../../libs/contracts/src/index.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ADMIN } from '../auth/roles.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { openApiSchema } from '../http/openapi-schema.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { SiteSettingsService } from './site-settings.service.js';

/** Administration → Sites: zones, gates, capacity, live-camera and retention rules per site (admin, audited). */
@ApiTags('sites')
@ApiBearerAuth()
@Controller('api/admin/sites')
export class SiteSettingsController {
  constructor(private readonly settings: SiteSettingsService) {}

  @Get()
  @Access(ADMIN)
  @ApiFromSchemas(null, SiteSettingsListSchema)
  list() {
    return this.settings.list();
  }

  @Post()
  @Access(ADMIN)
  @ApiBody({ schema: openApiSchema(SiteConfigSchema) as never })
  create(@CurrentPrincipal() p: Principal, @Body(new ZodPipe(SiteSettingsSchema)) b: SiteSettings) {
    return this.settings.create(b, p);
  }

  @Put(':siteId')
  @Access(ADMIN)
  @ApiBody({ schema: openApiSchema(SiteConfigSchema) as never })
  update(@CurrentPrincipal() p: Principal, @Param('siteId') siteId: string, @Body(new ZodPipe(SiteSettingsSchema)) b: SiteSettings) {
    return this.settings.update(siteId, b, p);
  }
}
