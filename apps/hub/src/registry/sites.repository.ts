import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SiteConfig } from '../../../../libs/contracts/src/index.js';
import { GateEntity, SiteEntity, ZoneEntity } from '../database/entities/index.js';

/** The stored sites: one settings document per site, with the site, zone and gate rows kept beside it. */
@Injectable()
export class SitesRepository {
  constructor(private readonly db: DataSource) {}

  /** Every site row that has settings, as stored (unparsed). */
  async all(): Promise<{ id: string; settingsJson: string }[]> {
    const rows = await this.db.getRepository(SiteEntity).find({ order: { id: 'ASC' } });
    return rows.flatMap((r) => (r.settingsJson ? [{ id: r.id, settingsJson: r.settingsJson }] : []));
  }

  /** Ids of the sites whose settings are stored (the sites file seeds only the others). */
  async storedIds(): Promise<Set<string>> {
    return new Set((await this.all()).map((r) => r.id));
  }

  /** Writes a site's settings and its zone and gate rows (names, zones of gates) in one transaction. */
  async save(site: SiteConfig): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.upsert(SiteEntity, { id: site.id, name: site.name, kind: site.kind, settingsJson: JSON.stringify(site) }, ['id']);
      for (const z of site.zones) await m.upsert(ZoneEntity, { siteId: site.id, id: z.id, name: z.name }, ['siteId', 'id']);
      for (const g of site.gates) await m.upsert(GateEntity, { siteId: site.id, id: g.id, zoneId: g.zone, name: g.name }, ['siteId', 'id']);
    });
  }
}
