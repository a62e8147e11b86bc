import { Controller, Get, Param } from '@nestjs/common';
import { codedError } from '../http/coded-error.js';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { WatchlistTemplateEntity } from '../database/entities/index.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { aad } from '../watchlist/watchlist-aad.js';
import { AlertsRepository } from './alerts.repository.js';
import { LiveCropStore } from './live-crop.store.js';

/**
 * The two faces of a watchlist alert side by side: the live crop from the lane (kept in memory for a
 * short while) and the list entry's enrolled face. Biometric data: security and admin of the site
 * only, every read audited.
 */
@ApiTags('alerts')
@Controller('api/sites/:siteId/alerts/:alertId/photos')
export class AlertPhotosController {
  constructor(
    private readonly alerts: AlertsRepository,
    private readonly crops: LiveCropStore,
    private readonly db: DataSource,
    private readonly cipher: DataCipher,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Access(['admin', 'security'], { param: 'siteId' })
  @ApiOkResponse({ description: '{ liveCrop, listPhoto }: base64 JPEGs, null when there is none' })
  async photos(@Param('siteId') siteId: string, @Param('alertId') alertId: string, @CurrentPrincipal() p: Principal) {
    const row = await this.alerts.find(alertId);
    if (!row || row.siteId !== siteId)
      throw codedError(404, 'ALERT_NOT_FOUND', `no alert ${alertId} at site ${siteId}`, { alertId: alertId.slice(0, 36) });
    const tpl = row.entryId
      ? await this.db.getRepository(WatchlistTemplateEntity).findOne({ where: { entryId: row.entryId }, order: { id: 'ASC' } })
      : null;
    const listPhoto = tpl?.cropEnc ? this.cipher.decrypt(tpl.cropEnc, aad.crop(tpl.entryId)).toString('base64') : null;
    const liveCrop = this.crops.get(row.lastEventId ?? row.eventId) ?? this.crops.get(row.eventId);
    await this.audit.record({
      actor: p,
      action: 'alert.photos',
      subjectType: 'alert',
      subjectId: alertId,
      siteId,
      detail: { liveCrop: liveCrop !== null, listPhoto: listPhoto !== null },
    });
    return { liveCrop, listPhoto };
  }
}
