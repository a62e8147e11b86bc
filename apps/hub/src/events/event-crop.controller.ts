import { createHash } from 'node:crypto';
import {
  Controller,
  ForbiddenException,
  Get,
  GatewayTimeoutException,
  HttpException,
  HttpStatus,
  NotFoundException,
  Param,
  Res,
  BadRequestException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { AttachmentSchema, EventIdSchema, MediaRefSchema, type Role } from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { canAccessSite, type Principal } from '../auth/principal.js';
import { ALL_ROLES } from '../auth/roles.js';
import { GateEventEntity } from '../database/entities/index.js';
import { EdgeMediaService } from '../privacy/edge-media.service.js';

/** Who may see an event's face crop: the people at the gates and security of that event's site (and admins). */
export const CROP_ROLES: readonly Role[] = ['admin', 'security', 'operator'];

/**
 * An event's face crop, fetched from the edge that keeps it (encrypted there, purged by its retention),
 * passed through in memory and never stored on the hub. The role and the event's site are checked here
 * rather than by the guard alone, so that every refusal is audited like every access.
 */
@ApiTags('events')
@ApiBearerAuth()
@Controller('api/events/:eventId/crop')
export class EventCropController {
  constructor(
    private readonly db: DataSource,
    private readonly media: EdgeMediaService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Access(ALL_ROLES)
  @ApiOkResponse({
    description:
      'image/jpeg; 403 for other roles or sites, 404 when there is no crop (or the edge purged it), 504 when the edge does not answer',
  })
  async crop(@Param('eventId') eventId: string, @CurrentPrincipal() p: Principal, @Res() res: Response): Promise<void> {
    const audit = (result: string, siteId: string | null, detail: Record<string, unknown> = {}) =>
      this.audit.record({
        actor: p,
        action: 'event.crop',
        subjectType: 'event',
        subjectId: eventId.slice(0, 64),
        siteId,
        detail: { result, ...detail },
      });
    if (!CROP_ROLES.includes(p.role)) {
      await audit('refused_role', null, { role: p.role });
      throw new ForbiddenException(`role ${p.role} may not see face crops`);
    }
    if (!EventIdSchema.safeParse(eventId).success) {
      await audit('bad_request', null);
      throw new BadRequestException('eventId must be a UUIDv7');
    }
    const event = await this.db.getRepository(GateEventEntity).findOneBy({ eventId });
    // Another site's event is refused (and audited) before anything about its crop is looked up.
    if (event && !canAccessSite(p, event.siteId)) {
      await audit('refused_site', event.siteId);
      throw new ForbiddenException(`no grant for the site of event ${eventId}`);
    }
    if (!event) {
      await audit('no_event', null);
      throw new NotFoundException(`no event ${eventId}`);
    }
    const attachment = parseAttachments(event.attachmentsJson).find(
      (a) => a.kind === 'face_crop' && MediaRefSchema.safeParse(a.ref).success,
    );
    if (!attachment) {
      await audit('no_crop', event.siteId);
      throw new NotFoundException(`event ${eventId} has no face crop (none was taken, or it was erased or is past retention)`);
    }
    const at = { gateId: event.gateId };
    // Only a crop the hub can check is served: without the hash the event named when the crop was
    // taken, an edge could hand over any image as this person's face.
    if (!attachment.sha256) {
      await audit('unverifiable', event.siteId, at);
      throw new HttpException(
        `gate ${event.gateId}'s event names no hash for its crop, so the hub cannot check what the edge would send; not served`,
        HttpStatus.BAD_GATEWAY,
      );
    }
    const reply = await this.media.fetchCrop(event.siteId, event.gateId, eventId, attachment.ref);
    if (!reply) {
      await audit('edge_timeout', event.siteId, at);
      throw new GatewayTimeoutException(`gate ${event.gateId}'s edge did not answer within the crop timeout (offline?)`);
    }
    if (reply.status === 'not_found') {
      await audit('purged', event.siteId, at);
      throw new NotFoundException(`gate ${event.gateId}'s edge no longer keeps this crop (past its retention, or erased)`);
    }
    const jpeg = reply.status === 'ok' && reply.jpegBase64 ? Buffer.from(reply.jpegBase64, 'base64') : null;
    if (!jpeg) {
      await audit('edge_refused', event.siteId, { ...at, reason: reply.reason ?? null });
      throw new HttpException(`gate ${event.gateId}'s edge refused: ${reply.reason ?? 'no crop'}`, HttpStatus.BAD_GATEWAY);
    }
    // The event named the crop's hash when it was taken: an edge cannot hand over another image.
    if (createHash('sha256').update(jpeg).digest('hex') !== attachment.sha256) {
      await audit('hash_mismatch', event.siteId, at);
      throw new HttpException(`the crop from gate ${event.gateId}'s edge does not match the event's hash`, HttpStatus.BAD_GATEWAY);
    }
    await audit('served', event.siteId, { ...at, bytes: jpeg.length });
    res
      .status(200)
      .set({ 'content-type': 'image/jpeg', 'cache-control': 'no-store, private', 'content-length': String(jpeg.length) })
      .end(jpeg);
  }
}

function parseAttachments(json: string | null) {
  if (!json) return [];
  try {
    const list = JSON.parse(json) as unknown[];
    return list.flatMap((a) => {
      const r = AttachmentSchema.safeParse(a);
      return r.success ? [r.data] : [];
    });
  } catch {
    return [];
  }
}
