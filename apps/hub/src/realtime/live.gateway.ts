import { Logger, forwardRef, Inject } from '@nestjs/common';
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
  type GateEvent,
  type GateStatus,
} from '../../../../libs/contracts/src/index.js';
import { HeadcountService } from '../counts/headcount.service.js';
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
 * per committed batch, not per event, so a busy hub sends a few messages a second per site.
 */
@WebSocketGateway({ cors: false })
export class LiveGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly log = new Logger('Live');
  private readonly settling = new Map<string, NodeJS.Timeout>();
  @WebSocketServer() server!: Server;

  constructor(
    @Inject(forwardRef(() => HeadcountService)) private readonly headcounts: HeadcountService,
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

  async publishBatch(events: readonly GateEvent[], touchedSites: Set<string>): Promise<void> {
    if (!this.server) return;
    const now = new Date().toISOString();
    const bySite = new Map<string, EventSummary[]>();
    for (const e of events) {
      const list = bySite.get(e.siteId) ?? [];
      const verdict = e.decision ? { outcome: e.decision.outcome, reasons: e.decision.reasons } : {};
      list.push({ eventId: e.eventId, siteId: e.siteId, zoneId: e.zoneId, gateId: e.gateId, direction: e.direction, source: e.source, occurredAt: e.occurredAt, receivedAt: now, ...verdict });
      bySite.set(e.siteId, list);
    }
    // The ticker is a sample (the newest 50 of a batch); counts and the per-minute chart come from the store.
    for (const [siteId, list] of bySite) this.server.to(siteRoom(siteId)).emit(SocketEvents.eventsNew, { siteId, events: list.slice(-50) });
    const minutesOf = new Map<string, Set<number>>();
    for (const e of events) {
      const set = minutesOf.get(e.siteId) ?? new Set<number>();
      set.add(Math.floor(Date.parse(e.occurredAt) / 60_000) * 60_000);
      minutesOf.set(e.siteId, set);
    }
    for (const siteId of new Set([...touchedSites, ...minutesOf.keys()])) {
      const minutes = await this.headcounts.minutes(siteId, [...(minutesOf.get(siteId) ?? [])]);
      this.server.to(siteRoom(siteId)).emit(SocketEvents.countsUpdate, { ...(await this.headcounts.snapshot(siteId)), minutes });
    }
    if (this.headcounts.sharedTallies) for (const siteId of touchedSites) this.settleLater(siteId);
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
