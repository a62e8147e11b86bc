import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  SiteConfigSchema,
  SitesConfigSchema,
  type SiteConfig,
  type SiteInfo,
  type SitesConfig,
} from '../../../../libs/contracts/src/index.js';
import { loadYamlConfig } from '../../../../libs/config/src/load-yaml-config.js';
import { canAccessSite, type Principal } from '../auth/principal.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { GateEntity } from '../database/entities/index.js';
import { SitesRepository } from './sites.repository.js';

/** Occupancy at 90 % of a capacity is a crowd warning unless the sites file says otherwise. */
export const DEFAULT_CROWD_WARN_AT = 0.9;

export interface GateRef {
  siteId: string;
  zoneId: string;
  gateId: string;
}

/** Lanes or cameras a gate lists no ids for: this many of the first ids it reports are accepted. */
export const UNLISTED_DEVICE_LIMIT = 8;

/** With several hub instances, how often each reads the sites again (edits made through another instance). */
export const SITES_REFRESH_MS = 30_000;

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
 * The sites, zones and gates the hub accepts events for, with their capacities and live-camera and
 * retention rules. Stored in the database (`sites.settings_json`): the sites file seeds the sites the
 * database does not have yet, at start; after that the administration screen edits them
 * (SiteSettingsService) and this registry is reloaded at once. An event from a gate not listed here is
 * refused as `unknown_gate`.
 */
@Injectable()
export class SiteRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('Sites');
  private gates = new Map<string, GateRef>();
  private devices = new Map<string, { lanes: DeviceIds; cameras: DeviceIds; key: string }>();
  private config: SitesConfig = { sites: [] };
  private refresh?: NodeJS.Timeout;
  /** The sites file's order (the wall and the lists keep it); sites added later follow by name. */
  private fileOrder: string[] = [];

  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly db: DataSource,
    private readonly stored: SitesRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const file = loadYamlConfig(this.cfg.sitesFile, SitesConfigSchema);
    this.fileOrder = file.sites.map((s) => s.id);
    const have = await this.stored.storedIds();
    const seeded = file.sites.filter((s) => !have.has(s.id));
    for (const s of seeded) await this.stored.save(s);
    await this.reload();
    this.log.log(
      `${this.config.sites.length} site(s), ${this.gates.size} gate(s) (${seeded.length} seeded from ${this.cfg.sitesFile}, the rest as the database has them)`,
    );
    // Several hub instances (REDIS_URL): an edit made through another instance is read within 30 s.
    if (this.cfg.redisUrl)
      this.refresh = setInterval(
        () => void this.reload().catch((e: Error) => this.log.warn(`sites not reloaded: ${e.message}`)),
        SITES_REFRESH_MS,
      ).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.refresh);
  }

  /** Reads the sites from the database again (after an edit). Lanes and cameras seen stay admitted. */
  async reload(): Promise<void> {
    const sites: SiteConfig[] = [];
    for (const row of await this.stored.all()) {
      const r = SiteConfigSchema.safeParse(JSON.parse(row.settingsJson));
      if (r.success) sites.push(r.data);
      else this.log.error(`site ${row.id}: stored settings are not valid (${r.error.issues[0]?.message}); the site is left out`);
    }
    const rank = (id: string) => (this.fileOrder.includes(id) ? this.fileOrder.indexOf(id) : Infinity);
    sites.sort((a, b) => rank(a.id) - rank(b.id) || a.name.localeCompare(b.name));
    const gates = new Map<string, GateRef>();
    const devices = new Map<string, { lanes: DeviceIds; cameras: DeviceIds; key: string }>();
    for (const s of sites)
      for (const g of s.gates) {
        const id = `${s.id}/${g.id}`;
        gates.set(id, { siteId: s.id, zoneId: g.zone, gateId: g.id });
        const key = JSON.stringify([g.lanes ?? null, g.cameras ?? null]);
        const before = this.devices.get(id);
        devices.set(
          id,
          before?.key === key
            ? before
            : { lanes: new DeviceIds(g.lanes && new Set(g.lanes)), cameras: new DeviceIds(g.cameras && new Set(g.cameras)), key },
        );
      }
    this.config = { sites };
    this.gates = gates;
    this.devices = devices;
  }

  /** One site's settings as stored, or undefined. */
  site(siteId: string): SiteConfig | undefined {
    return this.config.sites.find((s) => s.id === siteId);
  }

  /** Every site's settings (administration). */
  all(): SiteConfig[] {
    return this.config.sites;
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
    return {
      site: s?.name ?? siteId,
      zones: new Map((s?.zones ?? []).map((z) => [z.id, z.name])),
      gates: new Map((s?.gates ?? []).map((g) => [g.id, g.name])),
    };
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
      gates: s.gates.map((g) => ({
        gateId: g.id,
        zoneId: g.zone,
        name: g.name,
        online: online.get(`${s.id}/${g.id}`) ?? false,
        cameras: g.cameras ?? [],
      })),
      liveCameras: viewer ? this.mayWatchCameras(viewer, s.id) : false,
    }));
  }
}
