import { Body, Controller, Delete, Get, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiKeyCreatedSchema, ApiKeyInfoSchema, CreateApiKeySchema, type CreateApiKey } from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { openApiSchema } from '../http/openapi-schema.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { SocketAuth } from '../realtime/socket-auth.service.js';
import { Access } from './access.decorators.js';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentPrincipal } from './current-principal.decorator.js';
import type { Principal } from './principal.js';
import { ADMIN } from './roles.js';

/** Keys for IOC wall displays: read-only (role ioc), limited to their sites, revocable. */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api/api-keys')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly sockets: SocketAuth,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Access(ADMIN)
  @ApiOkResponse({ schema: openApiSchema(z.array(ApiKeyInfoSchema)) as never })
  list() {
    return this.keys.list();
  }

  /** The key is in this answer only. */
  @Post()
  @Access(ADMIN)
  @ApiBody({ schema: openApiSchema(CreateApiKeySchema) as never })
  @ApiOkResponse({ schema: openApiSchema(ApiKeyCreatedSchema) as never })
  async create(@CurrentPrincipal() p: Principal, @Body(new ZodPipe(CreateApiKeySchema)) b: CreateApiKey) {
    const k = await this.keys.create(b);
    await this.audit.record({
      actor: p,
      action: 'apikey.create',
      subjectType: 'api_key',
      subjectId: k.id,
      detail: { name: k.name, siteIds: k.siteIds },
    });
    return k;
  }

  /** Revoked at once, including the display's open socket. */
  @Delete(':id')
  @Access(ADMIN)
  @ApiOkResponse({ schema: openApiSchema(ApiKeyInfoSchema) as never })
  async revoke(@CurrentPrincipal() p: Principal, @Param('id', ParseIntPipe) id: number) {
    const k = await this.keys.revoke(id);
    await this.sockets.disconnectWhere((q) => q.kind === 'apiKey' && q.id === id);
    await this.audit.record({ actor: p, action: 'apikey.revoke', subjectType: 'api_key', subjectId: id });
    return k;
  }
}
