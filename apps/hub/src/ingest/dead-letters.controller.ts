import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ADMIN } from '../auth/roles.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { DeadLetterService } from './dead-letter.service.js';

const DeadLetterQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });

@ApiTags('ingest')
@ApiBearerAuth()
@Controller('api/dead-letters')
export class DeadLettersController {
  constructor(
    private readonly deadLetters: DeadLetterService,
    private readonly audit: AuditService,
  ) {}

  /** The newest refused messages, with the reason and a truncated payload (may hold identity data: admins only, audited). */
  @Get()
  @Access(ADMIN)
  async list(@CurrentPrincipal() p: Principal, @Query(new ZodPipe(DeadLetterQuerySchema)) q: z.infer<typeof DeadLetterQuerySchema>) {
    const rows = await this.deadLetters.list(q.limit);
    await this.audit.record({ actor: p, action: 'dead_letters.read', subjectType: 'dead_letter', detail: { count: rows.length } });
    return rows;
  }
}
