import { applyDecorators, Controller, Get, NotFoundException, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  ExportQuerySchema,
  ReportQuerySchema,
  ReportSchema,
  type ExportQuery,
  type ReportQuery,
} from '../../../../libs/contracts/src/index.js';
import { localDay } from '../counts/local-day.js';
import { AuditService } from '../audit/audit.service.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { USER_ROLES } from '../auth/roles.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { openApiQueryParams } from '../http/openapi-schema.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { HeavyRead } from '../http/heavy-read.limiter.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { EventExportService } from './event-export.service.js';
import { ReportsRepository } from './reports.repository.js';

const ExportQueryDocs = () =>
  applyDecorators(
    ...openApiQueryParams(ExportQuerySchema).map((p) => ApiQuery({ name: p.name, required: p.required, schema: p.schema as never })),
  );

/** Site managers' reports and exports over any range (no identity data). */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly exporter: EventExportService,
    private readonly registry: SiteRegistry,
    private readonly audit: AuditService,
  ) {}

  /** Totals, previous period, occupancy series, hour × weekday heat map and refusals by reason. */
  @Get('summary')
  @Access(USER_ROLES, { query: 'siteId' })
  @HeavyRead()
  @ApiFromSchemas(ReportQuerySchema, ReportSchema)
  summary(@Query(new ZodPipe(ReportQuerySchema)) q: ReportQuery) {
    this.requireSite(q.siteId);
    return this.reports.report(q);
  }

  /** Every event of the range, streamed as CSV or XLSX (a year exports in bounded memory). */
  @Get('export')
  @Access(USER_ROLES, { query: 'siteId' })
  @HeavyRead()
  @ExportQueryDocs()
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({
    description: `Columns: event_id, occurred_at (UTC), local_time (Asia/Ho_Chi_Minh), site, zone, gate, lane, direction, source, outcome, reasons`,
  })
  async export(@Query(new ZodPipe(ExportQuerySchema)) q: ExportQuery, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    this.requireSite(q.siteId);
    await this.audit.record({
      actor: p,
      action: 'report.export',
      subjectType: 'events',
      siteId: q.siteId,
      detail: { format: q.format, from: q.from, to: q.to },
    });
    // Local (Vietnam) dates of the first and last day the range covers: a week shown as 07–13 Dec is
    // named …-2026-12-07-2026-12-13, not by the UTC dates of its bounds.
    const name = `events-${q.siteId}-${localDay(Date.parse(q.from))}-${localDay(Date.parse(q.to) - 1)}.${q.format}`;
    res.setHeader('content-disposition', `attachment; filename="${name}"`);
    res.setHeader('cache-control', 'no-store');
    if (q.format === 'xlsx') {
      res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      await this.exporter.writeXlsx(q, res);
    } else {
      res.type('text/csv; charset=utf-8');
      await this.exporter.writeCsv(q, res);
    }
  }

  private requireSite(siteId: string): void {
    if (!this.registry.hasSite(siteId)) throw new NotFoundException(`site ${siteId} is not registered`);
  }
}
