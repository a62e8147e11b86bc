import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Access } from '../auth/access.decorators.js';
import { ADMIN } from '../auth/roles.js';
import { DeadLetterEntity } from '../database/entities/index.js';
import { ZodPipe } from '../http/zod-query.pipe.js';

const DeadLetterQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });

@ApiTags('ingest')
@ApiBearerAuth()
@Controller('api/dead-letters')
export class DeadLettersController {
  constructor(private readonly db: DataSource) {}

  /** The newest refused messages, with the reason and a truncated payload (may hold identity data: admins only). */
  @Get()
  @Access(ADMIN)
  list(@Query(new ZodPipe(DeadLetterQuerySchema)) q: z.infer<typeof DeadLetterQuerySchema>) {
    return this.db.getRepository(DeadLetterEntity).find({ order: { id: 'DESC' }, take: q.limit });
  }
}
