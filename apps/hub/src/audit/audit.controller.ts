import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuditQuerySchema, AuditRowSchema, type AuditQuery } from '../../../../libs/contracts/src/index.js';
import { Access } from '../auth/access.decorators.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { AuditService } from './audit.service.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Audit rows, newest first (page with `before`). Admins only: the log itself names people. */
  @Get()
  @Access(['admin'])
  @ApiFromSchemas(AuditQuerySchema, z.array(AuditRowSchema))
  search(@Query(new ZodPipe(AuditQuerySchema)) q: AuditQuery) {
    return this.audit.search(q);
  }
}
