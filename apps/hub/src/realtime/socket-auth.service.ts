import { Inject, Injectable } from '@nestjs/common';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import type { Server, Socket } from 'socket.io';
import { alertRoleRoom, alertRoom } from '../../../../libs/contracts/src/index.js';
import { canAccessSite, visibleSites, type Principal } from '../auth/principal.js';
import { SessionsService } from '../auth/sessions.service.js';
import { SiteRegistry } from '../registry/site-registry.service.js';

/** Roles whose sockets receive alerts (PART B emits them to `alertRoom(siteId)`). */
const ALERT_ROLES = new Set<Principal['role']>(['admin', 'security']);

export const socketPrincipal = (s: Socket): Principal => s.data.principal as Principal;

/**
 * Socket.IO authentication at the handshake: `io(url, { auth: { token } })` with an access token, or
 * `{ auth: { apiKey } }` for a wall display. A refused handshake ends in `connect_error` with
 * message `unauthorized`. A socket lives no longer than its access token: it is disconnected when the
 * token expires and the client reconnects with a fresh one.
 */
@Injectable()
export class SocketAuth {
  private server: Server | null = null;

  constructor(
    private readonly sessions: SessionsService,
    private readonly registry: SiteRegistry,
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
  ) {}

  /**
   * A browser may open a socket only from the hub's own origin (or one listed in HUB_SOCKET_ORIGINS):
   * another site's page cannot ride a wall display's or console's credential. Clients that send no
   * Origin (not browsers: edges, tools) are judged by their credential alone.
   */
  originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (!origin) return true;
    if (this.cfg.socketOrigins.includes(origin)) return true;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }

  attach(server: Server): void {
    this.server = server;
    server.engine.opts.allowRequest = (req, cb) =>
      cb(
        this.originAllowed(req.headers.origin, req.headers.host) ? null : 'origin not allowed',
        this.originAllowed(req.headers.origin, req.headers.host),
      );
    server.use((socket, next) => {
      const auth = (socket.handshake.auth ?? {}) as { token?: unknown; apiKey?: unknown };
      const credential = typeof auth.token === 'string' ? auth.token : typeof auth.apiKey === 'string' ? auth.apiKey : undefined;
      this.sessions.authenticate(credential).then(
        (p) => {
          if (!p) return next(new Error('unauthorized'));
          // A one-time password must be changed before anything live is shown.
          if (p.mustChangePassword) return next(new Error('password_change_required'));
          socket.data.principal = p;
          if (p.expiresAt) {
            const t = setTimeout(() => socket.disconnect(true), Math.max(0, p.expiresAt - Date.now()));
            socket.once('disconnect', () => clearTimeout(t));
          }
          next();
        },
        () => next(new Error('unauthorized')),
      );
    });
  }

  /**
   * Security and admin sockets join the alert room of every site they hold; other users join their
   * role's alert room of those sites (alert rules may notify operators or managers). Wall displays none.
   */
  async joinAlertRooms(socket: Socket): Promise<void> {
    const p = socketPrincipal(socket);
    if (p.kind !== 'user') return;
    const sites = visibleSites(p, this.registry.siteIds());
    await socket.join(sites.map((s) => (ALERT_ROLES.has(p.role) ? alertRoom(s) : alertRoleRoom(s, p.role))));
  }

  /** Sites of the request this socket may not see. */
  refusedSites(socket: Socket, siteIds: readonly string[]): string[] {
    const p = socketPrincipal(socket);
    return siteIds.filter((s) => !canAccessSite(p, s));
  }

  /** Ends the sockets of revoked keys or users at once. */
  async disconnectWhere(match: (p: Principal) => boolean): Promise<void> {
    if (!this.server) return;
    for (const s of await this.server.fetchSockets()) if (s.data.principal && match(s.data.principal as Principal)) s.disconnect(true);
  }
}
