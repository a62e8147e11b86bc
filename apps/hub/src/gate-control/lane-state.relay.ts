import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  LaneStateSchema,
  parseGateTopic,
  SeveritySchema,
  siteRoom,
  SocketEvents,
  type LaneState,
} from '../../../../libs/contracts/src/index.js';
import { AlertRules } from '../alerts/alert-rules.service.js';
import { LiveCropStore } from '../alerts/live-crop.store.js';
import { canAccessSite } from '../auth/principal.js';
import { DeadLetterService } from '../ingest/dead-letter.service.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { socketPrincipal } from '../realtime/socket-auth.service.js';
import { LiveGateway } from '../realtime/live.gateway.js';
import { GateMqttBridge } from './gate-mqtt.bridge.js';
import { maskLaneState } from './lane-state-mask.js';

/**
 * Relays lane states from the gates to the consoles of the site's room, each socket getting the view
 * its role allows; a watchlist refusal is also sent as `lane:watchlist-hit` (banner and sound), once
 * per decision, to the roles the alert of that hit does not reach: security, admin and the roles of
 * the site's alert rule learn of it once, by the alert the stored event raises (AlertChecker), not a
 * second time from the lane. The last state of every lane is kept so a console that opens later sees
 * the lanes.
 */
@Injectable()
export class LaneStateRelay implements OnApplicationBootstrap {
  private readonly log = new Logger('LaneRelay');
  private readonly last = new Map<string, LaneState>();
  private readonly hits = new Set<string>();

  constructor(
    private readonly bridge: GateMqttBridge,
    private readonly crops: LiveCropStore,
    private readonly registry: SiteRegistry,
    private readonly deadLetters: DeadLetterService,
    private readonly live: LiveGateway,
    private readonly rules: AlertRules,
  ) {}

  onApplicationBootstrap(): void {
    this.bridge.onLaneState = (topic, payload) => void this.relay(topic, payload).catch((e: Error) => this.log.warn(e.message));
  }

  lanes(siteId: string): LaneState[] {
    return [...this.last.values()].filter((s) => s.siteId === siteId);
  }

  private async relay(topic: string, payload: Buffer): Promise<void> {
    const t = parseGateTopic(topic);
    if (!t || t.kind !== 'lanes') return;
    const r = LaneStateSchema.safeParse(JSON.parse(payload.toString()));
    // A gate may only speak for itself (the broker ACL enforces the topic; the body must agree).
    if (!r.success || r.data.siteId !== t.siteId || r.data.gateId !== t.gateId) return;
    const s = r.data;
    // Lane ids come from the gate: only configured lanes of registered gates are kept and relayed.
    const registry = this.registry;
    if (!registry.gate(s.siteId, s.gateId)) return;
    if (!registry.laneAllowed(s.siteId, s.gateId, s.laneId)) {
      await this.deadLetters.reject(
        topic,
        payload,
        'unknown_lane',
        `lane ${s.laneId} is not configured for gate ${s.gateId} of site ${s.siteId}`,
      );
      return;
    }
    this.last.set(`${s.siteId}/${s.gateId}/${s.laneId}`, s);
    const server = this.live.server;
    if (!server) return;
    const hit = s.watchlist?.listKind === 'watchlist' && s.decisionId && !this.hits.has(s.decisionId);
    // The live crop of a watchlist refusal, for the security alert view (memory only, see LiveCropStore);
    // any other decision's crop waits briefly in case the hub's own check raises an alert on it.
    if (s.decisionId && s.faceJpeg) this.crops.keep(s.decisionId, s.faceJpeg, s.watchlist?.listKind === 'watchlist');
    if (hit) {
      this.hits.add(s.decisionId!);
      if (this.hits.size > 1000) this.hits.delete(this.hits.values().next().value!);
    }
    // Who hears of this hit by its alert (nobody when the site's rule raises none at this severity).
    const severity = SeveritySchema.safeParse(s.watchlist?.severity);
    const notified = hit && severity.success ? this.rules.notify(s.siteId, severity.data) : null;
    const alerted = new Set<string>(notified ? ['security', 'admin', ...notified] : []);
    // Every hub instance receives every lane state from the broker and serves its own sockets.
    for (const socket of await server.local.in(siteRoom(s.siteId)).fetchSockets()) {
      const p = socketPrincipal(socket as never);
      // The room is joined only with the site's grant; checked again here since faces travel.
      if (!p || !canAccessSite(p, s.siteId)) continue;
      const view = maskLaneState(s, p.role);
      socket.emit(SocketEvents.laneState, view);
      if (hit && !alerted.has(p.role))
        socket.emit(SocketEvents.laneWatchlistHit, {
          siteId: s.siteId,
          gateId: s.gateId,
          laneId: s.laneId,
          decisionId: s.decisionId,
          at: s.at,
          severity: s.watchlist?.severity,
        });
    }
  }
}
