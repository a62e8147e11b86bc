import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  EventIdSchema,
  EventPageSchema,
  EventSearchQuerySchema,
  type EventDetail,
  type EventSearchQuery,
  type Role,
} from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { canAccessSite, type Principal } from '../auth/principal.js';
import { USER_ROLES } from '../auth/roles.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { codedError } from '../http/coded-error.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { EventsRepository } from './events.repository.js';

/** Who may search events by person and see who an event was: security and admins (Decree 13: need to know). */
export const IDENTITY_ROLES: readonly Role[] = ['admin', 'security'];

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly events: EventsRepository,
    private readonly audit: AuditService,
    private readonly cipher: DataCipher,
  ) {}

  /**
   * Paged event search, newest first, within the caller's sites, with each decision's outcome and
   * reasons; identity details are not part of this listing. Search by person (`person`: CCCD number or
   * name) is for security and admins, on one site. Every search is audited.
   */
  @Get()
  @Access(USER_ROLES, { query: 'siteId' })
  @ApiFromSchemas(EventSearchQuerySchema, EventPageSchema)
  async search(@CurrentPrincipal() p: Principal, @Query(new ZodPipe(EventSearchQuerySchema)) q: EventSearchQuery) {
    const filters = {
      siteId: q.siteId ?? null,
      zoneId: q.zoneId,
      gateId: q.gateId,
      direction: q.direction,
      source: q.source,
      outcome: q.outcome,
      from: q.from,
      to: q.to,
      page: Boolean(q.cursor),
    };
    if (q.person) {
      const byId = /^\d{12}$/.test(q.person.replace(/\s/g, ''));
      // The audit says whom: the CCCD number as its HMAC (what the person-data export and erase use), a name as typed.
      const person = byId ? { idNumberHmac: this.cipher.idHmac(q.person.replace(/\s/g, '')) } : { name: q.person };
      if (!IDENTITY_ROLES.includes(p.role)) {
        await this.audit.record({
          actor: p,
          action: 'event.search_person_refused',
          subjectType: 'event',
          siteId: q.siteId ?? null,
          detail: { role: p.role, ...person },
        });
        throw codedError(403, 'PERSON_SEARCH_FORBIDDEN', `role ${p.role} may not search events by person`);
      }
      if (!q.siteId) throw codedError(400, 'PERSON_SEARCH_NEEDS_SITE', 'a search by person needs a siteId');
      const page = await this.events.search(q, q.siteId || p.siteIds === '*' ? undefined : p.siteIds);
      await this.audit.record({
        actor: p,
        action: 'event.search_person',
        subjectType: 'event',
        siteId: q.siteId,
        detail: { ...filters, ...person, results: page.items.length, scanned: page.scanned ?? null },
      });
      return page;
    }
    // Without a siteId the guard has nothing to check: limit the search to the caller's grants.
    const page = await this.events.search(q, q.siteId || p.siteIds === '*' ? undefined : p.siteIds);
    await this.audit.record({
      actor: p,
      action: 'event.search',
      subjectType: 'event',
      siteId: q.siteId ?? null,
      detail: { ...filters, results: page.items.length },
    });
    return page;
  }

  /**
   * One event: its decision in full (reasons, method, operator review, list hit), and who it was for
   * security and admins (audited). The face crop is `GET /api/events/:eventId/crop`.
   */
  @Get(':eventId')
  @Access(USER_ROLES)
  async detail(@Param('eventId') eventId: string, @CurrentPrincipal() p: Principal): Promise<EventDetail> {
    if (!EventIdSchema.safeParse(eventId).success)
      throw codedError(400, 'INVALID_INPUT', 'eventId must be a UUIDv7', { message: 'eventId' });
    const found = await this.events.one(eventId);
    if (!found || !canAccessSite(p, found.e.siteId)) throw codedError(404, 'EVENT_NOT_FOUND', `no event ${eventId}`);
    const { e, raw, decision } = found;
    const mayIdentify = IDENTITY_ROLES.includes(p.role);
    const id = mayIdentify ? this.events.identity(e) : null;
    if (id)
      await this.audit.record({ actor: p, action: 'event.identity', subjectType: 'event_identity', subjectId: eventId, siteId: e.siteId });
    return {
      ...this.events.row(e, raw),
      review: decision?.review ? { verdict: decision.review.verdict, by: decision.review.by, reason: decision.review.reason } : null,
      watchlist: decision?.watchlist
        ? { listKind: decision.watchlist.listKind, severity: decision.watchlist.severity ?? null, by: decision.watchlist.by }
        : null,
      identity: id
        ? {
            fullName: id.fullName ?? null,
            idNumber: id.idNumber ?? null,
            dateOfBirth: id.dateOfBirth ?? null,
            matchScore: id.matchScore ?? null,
            livenessScore: id.livenessScore ?? null,
          }
        : null,
      identityHidden: !mayIdentify && e.identityJson !== null,
    };
  }
}
