import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { GateStatusSchema, IdSchema, type GateStatus } from '../../../../libs/contracts/src/index.js';
import { Access } from '../auth/access.decorators.js';
import { ALL_ROLES } from '../auth/roles.js';
import { GateEntity } from '../database/entities/index.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { SiteRegistry } from './site-registry.service.js';

const QuerySchema = z.strictObject({ siteId: IdSchema });

/** The last status each gate of a site reported (online, cameras, lane devices): what a wall shows on opening. */
@ApiTags('sites')
@ApiBearerAuth()
@Controller('api/gate-status')
export class GateStatusController {
  constructor(
    private readonly db: DataSource,
    private readonly registry: SiteRegistry,
  ) {}

  @Get()
  @Access(ALL_ROLES, { query: 'siteId' })
  @ApiFromSchemas(QuerySchema, z.array(GateStatusSchema))
  async list(@Query(new ZodPipe(QuerySchema)) q: z.infer<typeof QuerySchema>): Promise<GateStatus[]> {
    if (!this.registry.hasSite(q.siteId)) throw new NotFoundException(`site ${q.siteId} is not registered`);
    const rows = await this.db.getRepository(GateEntity).findBy({ siteId: q.siteId });
    return rows.flatMap((g) => {
      const parsed = g.statusJson ? GateStatusSchema.safeParse(JSON.parse(g.statusJson)) : null;
      // The stored status says online even when the hub has since marked the gate offline.
      return parsed?.success
        ? [{ ...parsed.data, state: g.online ? parsed.data.state : 'offline' }]
        : [{ siteId: g.siteId, gateId: g.id, state: g.online ? 'online' : 'offline' }];
    });
  }
}
