import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { SiteConfig, SiteSettings, SiteSettingsList } from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { HubEvents } from '../domain-events/ingest-events.js';
import { CodedError } from '../http/coded-error.js';
import { SiteRegistry } from './site-registry.service.js';
import { SitesRepository } from './sites.repository.js';

/**
 * What changed between two versions of a site, field by field, as `{ from, to }` (a new site: `{ to }`);
 * the audit viewer writes them in words.
 */
export function siteChanges(before: SiteConfig | undefined, after: SiteConfig): Record<string, { from?: unknown; to: unknown }> {
  const out: Record<string, { from?: unknown; to: unknown }> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]) as Set<keyof SiteConfig>;
  for (const k of keys) {
    if (k === 'id') continue;
    const a = before?.[k];
    const b = after[k];
    if (JSON.stringify(a) !== JSON.stringify(b)) out[k] = before ? { from: a ?? null, to: b ?? null } : { to: b ?? null };
  }
  return out;
}

/**
 * Administration of sites (zones, gates, capacity, live-camera and retention rules): validated, stored,
 * audited with what changed, then the registry reloads and every screen is told (the wall, headcounts
 * and the camera view use the new values at once, no restart).
 */
@Injectable()
export class SiteSettingsService {
  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly registry: SiteRegistry,
    private readonly stored: SitesRepository,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
  ) {}

  list(): SiteSettingsList {
    const c = this.cfg;
    return {
      sites: this.registry.all(),
      defaults: {
        retention: { eventsDays: c.retentionEventsDays, identityDays: c.retentionIdentityDays, cropsDays: c.retentionCropsDays },
      },
    };
  }

  async create(site: SiteSettings, actor: Principal): Promise<SiteConfig> {
    if (this.registry.site(site.id)) throw new CodedError(409, 'site_exists', `site ${site.id} exists`, { siteId: site.id });
    return this.write(undefined, site, actor, 'site.create');
  }

  async update(siteId: string, site: SiteSettings, actor: Principal): Promise<SiteConfig> {
    const before = this.registry.site(siteId);
    if (!before) throw new CodedError(404, 'site_not_found', `site ${siteId} not found`, { siteId });
    if (site.id !== siteId) throw new CodedError(400, 'site_id_fixed', 'a site id cannot change (events and logins name it)', { siteId });
    // Gates and zones are named by events, counts and gate logins: they may be added or renamed, not removed.
    const gone = [
      ...before.zones.filter((z) => !site.zones.some((x) => x.id === z.id)).map((z) => z.id),
      ...before.gates.filter((g) => !site.gates.some((x) => x.id === g.id)).map((g) => g.id),
    ];
    if (gone.length)
      throw new CodedError(409, 'site_part_in_use', `zones and gates cannot be removed (${gone.join(', ')})`, { ids: gone.join(', ') });
    return this.write(before, site, actor, 'site.update');
  }

  private async write(before: SiteConfig | undefined, site: SiteSettings, actor: Principal, action: string): Promise<SiteConfig> {
    const changes = siteChanges(before, site);
    if (before && Object.keys(changes).length === 0) return before;
    await this.stored.save(site);
    await this.registry.reload();
    await this.audit.record({ actor, action, subjectType: 'site', subjectId: site.id, siteId: site.id, detail: changes });
    this.events.emit(HubEvents.sitesChanged, { siteIds: [site.id] });
    return this.registry.site(site.id)!;
  }
}
