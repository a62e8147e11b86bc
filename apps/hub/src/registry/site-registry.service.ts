import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SitesConfigSchema, type SiteInfo, type SitesConfig } from '../../../../libs/contracts/src/index.js';
import { loadYamlConfig } from '../../../../libs/config/src/load-yaml-config.js';
import { canAccessSite, type Principal } from '../auth/principal.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { GateEntity, SiteEntity, ZoneEntity } from '../database/entities/index.js';

/** Occupancy at 90 % of a capacity is a crowd warning unless the sites file says otherwise. */
export const DEFAULT_CROWD_WARN_AT = 0.9;

export interface GateRef {
  siteId: string;
  zoneId: string;
  gateId: string;
}

/** Lanes or cameras a gate lists no ids for: this many of the first ids it reports are accepted. */
export const UNLISTED_DEVICE_LIMIT = 8;

/** The ids a gate may use for one kind of device: the configured list, or the first few it reported. */
class DeviceIds {
  private readonly seen = new Set<string>();
  constructor(readonly listed: ReadonlySet<string> | undefined) {}

  accepts(id: string): boolean {
    if (this.listed) return this.listed.has(id);
    if (this.seen.has(id)) return true;
    if (this.seen.size >= UNLISTED_DEVICE_LIMIT) return false;
    this.seen.add(id);
    return true;
  }

  /** Accepted before (or listed), without taking a slot for an id only asked about. */
  knows(id: string): boolean {
    return this.listed ? this.listed.has(id) : this.seen.has(id);
  }
}

/**
 * The sites, zones and gates the hub accepts events for. Loaded from the sites file into the database
 * at start; an event from a gate not listed here is refused as `unknown_gate`.
 */
@Injectable()
export class SiteRegistry implements OnModuleInit {
  private readonly log = new Logger('Sites');
  private gates = new Map<string, GateRef>();
  private devices = new Map<string, { lanes: DeviceIds; cameras: DeviceIds }>();
  private config: SitesConfig = { sites: [] };

  constructor(@Inject(HUB_CONFIG) private readonly cfg: HubConfig, private readonly db: DataSource) {}

  async onModuleInit(): Promise<void> {
    this.config = loadYamlConfig(this.cfg.sitesFile, SitesConfigSchema);
    await this.db.transaction(async (m) => {
      for (const s of this.config.sites) {
        await m.upsert(SiteEntity, { id: s.id, name: s.name, kind: s.kind }, ['id']);
        for (const z of s.zones) await m.upsert(ZoneEntity, { siteId: s.id, id: z.id, name: z.name }, ['siteId', 'id']);
        for (const g of s.gates) await m.upsert(GateEntity, { siteId: s.id, id: g.id, zoneId: g.zone, name: g.name }, ['siteId', 'id']);
      }
    });
    this.gates = new Map();
    this.devices = new Map();
    for (const s of this.config.sites)
      for (const g of s.gates) {
        this.gates.set(`${s.id}/${g.id}`, { siteId: s.id, zoneId: g.zone, gateId: g.id });
        this.devices.set(`${s.id}/${g.id}`, { lanes: new DeviceIds(g.lanes && new Set(g.lanes)), cameras: new DeviceIds(g.cameras && new Set(g.cameras)) });
      }
    this.log.log(`${this.config.sites.length} site(s), ${this.gates.size} gate(s) from ${this.cfg.sitesFile}`);
  }

  gate(siteId: string, gateId: string): GateRef | undefined {
    return this.gates.get(`${siteId}/${gateId}`);
  }

  /**
   * Whether a gate may report this lane id. Ids come from the gate, so they are bounded here: hub
   * state (lane states, metrics series) grows only with what the sites file allows.
   */
  laneAllowed(siteId: string, gateId: string, laneId: string): boolean {
    return this.devices.get(`${siteId}/${gateId}`)?.lanes.accepts(laneId) ?? false;
  }

  /**
   * Whether an event may name this lane. A sites file that lists the gate's lanes decides; without a
   * list every lane id is accepted: an event is a count and is stored whatever lanes the gate
   * invented before (it adds no hub state), unlike lane states, which keep the first
   * UNLISTED_DEVICE_LIMIT ids seen. List the lanes to pin them.
   */
  laneEventAllowed(siteId: string, gateId: string, laneId: string): boolean {
    const d = this.devices.get(`${siteId}/${gateId}`);
    if (!d) return false;
    return d.lanes.listed ? d.lanes.accepts(laneId) : (d.lanes.accepts(laneId), true);
  }

  cameraAllowed(siteId: string, gateId: string, cameraId: string): boolean {
    return this.devices.get(`${siteId}/${gateId}`)?.cameras.accepts(cameraId) ?? false;
  }

  /** A camera the gate has reported (or the sites file lists), asked without admitting a new id. */
  cameraKnown(siteId: string, gateId: string, cameraId: string): boolean {
    return this.devices.get(`${siteId}/${gateId}`)?.cameras.knows(cameraId) ?? false;
  }

  gateRefs(): GateRef[] {
    return [...this.gates.values()];
  }

  /** A site's name and its zones' and gates' names by id (reports and exports write names, not ids). */
  names(siteId: string): { site: string; zones: Map<string, string>; gates: Map<string, string> } {
    const s = this.config.sites.find((x) => x.id === siteId);
    return { site: s?.name ?? siteId, zones: new Map((s?.zones ?? []).map((z) => [z.id, z.name])), gates: new Map((s?.gates ?? []).map((g) => [g.id, g.name])) };
  }

  hasSite(siteId: string): boolean {
    return this.config.sites.some((s) => s.id === siteId);
  }

  siteIds(): string[] {
    return this.config.sites.map((s) => s.id);
  }

  /** Gate ids of a site grouped by zone, for totals per zone. */
  zonesOf(siteId: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const site = this.config.sites.find((s) => s.id === siteId);
    for (const z of site?.zones ?? []) out.set(z.id, []);
    for (const g of site?.gates ?? []) out.get(g.zone)?.push(g.id);
    return out;
  }

  /**
   * May this principal watch the site's live camera tiles? Per site (`liveCameras` in the sites
   * file): by default its operator, security and admin users; wall keys only where enabled.
   */
  mayWatchCameras(p: Pick<Principal, 'role' | 'siteIds'>, siteId: string): boolean {
    const site = this.config.sites.find((s) => s.id === siteId);
    if (!site || !canAccessSite(p, siteId)) return false;
    const rule = site.liveCameras ?? { roles: ['admin', 'security', 'operator'], wallKeys: false };
    if (p.role === 'ioc') return rule.wallKeys;
    return (rule.roles as string[]).includes(p.role);
  }

  /** The cameras the sites file lists for a gate (none: the gate's reported ones are used). */
  camerasOf(siteId: string, gateId: string): string[] {
    return this.config.sites.find((s) => s.id === siteId)?.gates.find((g) => g.id === gateId)?.cameras ?? [];
  }

  async list(viewer?: Pick<Principal, 'role' | 'siteIds'>): Promise<SiteInfo[]> {
    const gates = await this.db.getRepository(GateEntity).find();
    const online = new Map(gates.map((g) => [`${g.siteId}/${g.id}`, g.online]));
    return this.config.sites.map((s) => ({
      siteId: s.id,
      name: s.name,
      kind: s.kind,
      capacity: s.capacity ?? null,
      crowdWarnAt: s.crowdWarnAt ?? DEFAULT_CROWD_WARN_AT,
      location: s.location ?? null,
      zones: s.zones.map((z) => ({ zoneId: z.id, name: z.name, capacity: z.capacity ?? null })),
      gates: s.gates.map((g) => ({ gateId: g.id, zoneId: g.zone, name: g.name, online: online.get(`${s.id}/${g.id}`) ?? false, cameras: g.cameras ?? [] })),
      liveCameras: viewer ? this.mayWatchCameras(viewer, s.id) : false,
    }));
  }
}
