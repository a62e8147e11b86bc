import { Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import {
  describeSchemaError,
  siteRoom,
  SocketEvents,
  SubscribeRequestSchema,
  type EventSummary,
  type GateStatus,
} from '../../../../libs/contracts/src/index.js';
import { HeadcountService } from '../counts/headcount.service.js';
import { CountsChanged, EventsCommitted, HubEvents } from '../domain-events/ingest-events.js';
import { MetricsService } from '../observability/metrics.service.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { SocketAuth } from './socket-auth.service.js';

const SETTLE_MS = 300;

/** What the gateway asks of the live camera relay for `camera:watch` / `camera:unwatch`. */
export interface CameraViewHandler {
  watch(socket: Socket, body: unknown): Promise<{ ok: boolean; error?: string }>;
  unwatch(socket: Socket, body: unknown): Promise<{ ok: boolean; error?: string }>;
}

/**
 * Live counts, the event ticker and gate status, pushed to one Socket.IO room per site. Pushes are
 * per committed batch, not per event, so a busy hub sends a few messages a second per site: the
 * ticker on `eventsCommitted`, the counts and the minute chart on the tallies' `countsChanged`
 * (sent in order, off the commit path; while one push is out, further changes are merged).
 */
@WebSocketGateway({ cors: false })
export class LiveGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly log = new Logger('Live');
  private readonly settling = new Map<string, NodeJS.Timeout>();
  /** Count changes not pushed yet, per site (merged while a push is out). */
  private readonly unpushed = new Map<string, { minutes: Set<number>; today: boolean }>();
  private pushing = false;
  @WebSocketServer() server!: Server;

  constructor(
    private readonly headcounts: HeadcountService,
    private readonly registry: SiteRegistry,
    private readonly metrics: MetricsService,
    private readonly auth: SocketAuth,
  ) {}

  /** Set by CameraViewRelay when it starts (it injects this gateway; the other way round would be a cycle). */
  cameraViews: CameraViewHandler | undefined;

  /** Every socket authenticates at the handshake (token or API key). */
  afterInit(server: Server): void {
    this.auth.attach(server);
  }

  async handleConnection(socket: Socket): Promise<void> {
    this.metrics.socketClients.inc();
    await this.auth.joinAlertRooms(socket);
  }

  handleDisconnect(): void {
    this.metrics.socketClients.dec();
  }

  @SubscribeMessage(SocketEvents.subscribe)
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<{ ok: boolean; error?: string }> {
    const r = SubscribeRequestSchema.safeParse(body);
    if (!r.success) return { ok: false, error: describeSchemaError(r.error) };
    const refused = this.auth.refusedSites(socket, r.data.siteIds);
    if (refused.length) return { ok: false, error: `no access to site(s): ${refused.join(', ')}` };
    const unknown = r.data.siteIds.filter((s) => !this.registry.hasSite(s));
    if (unknown.length) return { ok: false, error: `unknown site(s): ${unknown.join(', ')}` };
    for (const siteId of r.data.siteIds) {
      await socket.join(siteRoom(siteId));
      socket.emit(SocketEvents.countsSnapshot, await this.headcounts.snapshot(siteId));
    }
    return { ok: true };
  }

  /** Live camera tiles: see CameraViewRelay (rule per site, audited, lease to the edge). */
  @SubscribeMessage(SocketEvents.cameraWatch)
  cameraWatch(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<{ ok: boolean; error?: string }> {
    return this.cameraViews?.watch(socket, body) ?? Promise.resolve({ ok: false, error: 'live camera tiles are not available' });
  }

  @SubscribeMessage(SocketEvents.cameraUnwatch)
  cameraUnwatch(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<{ ok: boolean; error?: string }> {
    return this.cameraViews?.unwatch(socket, body) ?? Promise.resolve({ ok: false, error: 'live camera tiles are not available' });
  }

  /** The ticker: a sample (the newest 50 of a batch) per site. */
  @OnEvent(HubEvents.eventsCommitted)
  onCommitted({ events }: EventsCommitted): void {
    if (!this.server || !events.length) return;
    const now = new Date().toISOString();
    const bySite = new Map<string, EventSummary[]>();
    for (const e of events) {
      const list = bySite.get(e.siteId) ?? [];
      const verdict = e.decision ? { outcome: e.decision.outcome, reasons: e.decision.reasons } : {};
      list.push({
        eventId: e.eventId,
        siteId: e.siteId,
        zoneId: e.zoneId,
        gateId: e.gateId,
        direction: e.direction,
        source: e.source,
        occurredAt: e.occurredAt,
        receivedAt: now,
        ...verdict,
      });
      bySite.set(e.siteId, list);
    }
    for (const [siteId, list] of bySite) {
      this.server.to(siteRoom(siteId)).emit(SocketEvents.eventsNew, { siteId, events: list.slice(-50) });
      this.metrics.tickerPushes.inc();
    }
  }

  /** Counts and the per-minute chart: queued here, pushed off the commit path, in order. */
  /** Sites edited by an administrator: every screen reloads them (capacity, names, zones on the wall). */
  @OnEvent(HubEvents.sitesChanged)
  onSitesChanged(e: { siteIds: string[] }): void {
    this.server?.emit(SocketEvents.sitesChanged, { siteIds: e.siteIds });
  }

  @OnEvent(HubEvents.countsChanged)
  onCountsChanged({ sites }: CountsChanged): void {
    if (!this.server) return;
    for (const c of sites) {
      const u = this.unpushed.get(c.siteId) ?? { minutes: new Set<number>(), today: false };
      for (const m of c.minutes) u.minutes.add(m);
      u.today ||= c.today;
      this.unpushed.set(c.siteId, u);
    }
    if (!this.pushing) {
      this.pushing = true;
      void this.drainCounts();
    }
  }

  private async drainCounts(): Promise<void> {
    while (this.unpushed.size) {
      const [siteId, u] = this.unpushed.entries().next().value!;
      this.unpushed.delete(siteId);
      try {
        await this.pushCounts(siteId, [...u.minutes]);
        if (u.today && this.headcounts.sharedTallies) this.settleLater(siteId);
      } catch (e) {
        // Stored and acknowledged already: a failed push (a database error reading the counts, a
        // socket error) is logged, and consoles catch up on the next one.
        this.log.warn(`live counts of ${siteId} failed (consoles catch up on the next push): ${(e as Error).message}`);
      }
    }
    this.pushing = false;
  }

  /** One site's totals and the minutes given, to its room. */
  async pushCounts(siteId: string, minuteStarts: number[]): Promise<void> {
    const minutes = await this.headcounts.minutes(siteId, minuteStarts);
    this.server.to(siteRoom(siteId)).emit(SocketEvents.countsUpdate, { ...(await this.headcounts.snapshot(siteId)), minutes });
  }

  /**
   * With several instances, two instances' snapshots of one site can leave in the opposite order of
   * their commits; a last snapshot a moment after a site's last batch here makes the walls converge.
   */
  private settleLater(siteId: string): void {
    clearTimeout(this.settling.get(siteId));
    const t = setTimeout(() => {
      this.settling.delete(siteId);
      void this.headcounts
        .snapshot(siteId)
        .then((s) => this.server.to(siteRoom(siteId)).emit(SocketEvents.countsUpdate, s))
        .catch((e: Error) => this.log.warn(`counts for ${siteId}: ${e.message}`));
    }, SETTLE_MS);
    t.unref();
    this.settling.set(siteId, t);
  }

  publishGateStatus(s: GateStatus): void {
    this.server?.to(siteRoom(s.siteId)).emit(SocketEvents.gateStatus, s);
  }
}
