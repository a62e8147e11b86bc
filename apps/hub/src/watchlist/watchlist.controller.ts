import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  WatchlistEntryCreateSchema,
  WatchlistEntryUpdateSchema,
  WatchlistListQuerySchema,
  type WatchlistEntryCreate,
  type WatchlistEntryUpdate,
  type WatchlistListQuery,
} from '../../../../libs/contracts/src/index.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { PhotoBody } from '../http/json-body.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { WatchlistService } from './watchlist.service.js';

const MANAGE = ['admin', 'security'] as const;
const SearchBodySchema = z.strictObject({ photo: z.base64().max(8_000_000) });

/** Watchlist administration; security and admin of the site only. Personal data: every call is audited. */
@ApiTags('watchlist')
@Controller('api/sites/:siteId/watchlist')
export class WatchlistController {
  constructor(private readonly watchlist: WatchlistService) {}

  @Get()
  @Access(MANAGE, { param: 'siteId' })
  list(
    @Param('siteId') siteId: string,
    @Query(new ZodPipe(WatchlistListQuerySchema.omit({ siteId: true }))) q: Omit<WatchlistListQuery, 'siteId'>,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.watchlist.list({ ...q, siteId }, p);
  }

  @Post()
  @Access(MANAGE, { param: 'siteId' })
  @PhotoBody()
  create(
    @Param('siteId') siteId: string,
    @Body(new ZodPipe(WatchlistEntryCreateSchema)) body: WatchlistEntryCreate,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.watchlist.create(siteId, body, p);
  }

  /** 1:N: who on this site's lists looks like the person in the photo? */
  @Post('search')
  @HttpCode(200)
  @Access(MANAGE, { param: 'siteId' })
  @PhotoBody()
  search(@Param('siteId') siteId: string, @Body(new ZodPipe(SearchBodySchema)) body: { photo: string }, @CurrentPrincipal() p: Principal) {
    return this.watchlist.search(siteId, Buffer.from(body.photo, 'base64'), p);
  }

  @Get(':entryId')
  @Access(MANAGE, { param: 'siteId' })
  get(@Param('siteId') siteId: string, @Param('entryId') entryId: string, @CurrentPrincipal() p: Principal) {
    return this.watchlist.get(siteId, entryId, p);
  }

  @Patch(':entryId')
  @Access(MANAGE, { param: 'siteId' })
  @PhotoBody()
  update(
    @Param('siteId') siteId: string,
    @Param('entryId') entryId: string,
    @Body(new ZodPipe(WatchlistEntryUpdateSchema)) body: WatchlistEntryUpdate,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.watchlist.update(siteId, entryId, body, p);
  }

  @Delete(':entryId')
  @HttpCode(204)
  @Access(MANAGE, { param: 'siteId' })
  async remove(@Param('siteId') siteId: string, @Param('entryId') entryId: string, @CurrentPrincipal() p: Principal) {
    await this.watchlist.remove(siteId, entryId, p);
  }
}
