import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  alertRoleRoom,
  alertRoom,
  doorAlarmOf,
  SocketEvents,
  type DoorAlarm,
  type GateEvent,
  type Severity,
} from '../../../../libs/contracts/src/index.js';
import { decodeTemplate, type MatchEntry } from '../../../../libs/watchlist-match/src/index.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import type { AlertEntity } from '../database/entities/index.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { LiveGateway } from '../realtime/live.gateway.js';
import { FaceEnrolment } from '../watchlist/face-enrolment.service.js';
import { SiteMatchers } from '../watchlist/site-matchers.service.js';
import { aad } from '../watchlist/watchlist-aad.js';
import { WatchlistRepository } from '../watchlist/watchlist.repository.js';
import { AlertRules } from './alert-rules.service.js';
import { AlertsRepository } from './alerts.repository.js';
import { LiveCropStore } from './live-crop.store.js';

/** The handling columns of an alert just raised. */
const NEW_ALERT = {
  status: 'open',
  acknowledgedBy: null,
  acknowledgedAt: null,
  closedBy: null,
  closedAt: null,
  note: null,
  ackNote: null,
  closeNote: null,
  sightings: 1,
  escalatedAt: null,
} as const;

/** A door forced open is a break-in attempt; one held open lets others follow (tailgating). */
const DOOR_SEVERITY: Record<DoorAlarm, Severity> = { door_forced: 'high', door_held_open: 'medium' };
/** A face in the alert's possible-match band: for security to look at, not a confirmed hit. */
const POSSIBLE_SEVERITY: Severity = 'medium';
/**
 * A watchlist match (face at or above the alert threshold, or the CCCD number) is a wanted person
 * at the gate: critical whatever severity the entry was listed with, so no site rule silences it
 * and an unacknowledged one escalates.
 */
const MATCH_SEVERITY: Severity = 'critical';

/**
 * Checks newly stored events against the site's watchlist (CCCD-number HMAC, then 1:N face) and
 * turns door alarms into alerts, off the ingest path: the batcher only enqueues; matching, storing
 * and the socket push run here, in order.
 */
@Injectable()
export class AlertChecker {
  private readonly log = new Logger('Alerts');
  private queue: GateEvent[] = [];
  private running = false;
  private readonly threshold: number;
  /** Floor of the alert's "possible match" band (the calibrated alert REVIEW floor). */
  private readonly possibleFloor: number;
  private idle: (() => void)[] = [];

  constructor(
    @Inject(HUB_CONFIG) cfg: HubConfig,
    private readonly matchers: SiteMatchers,
    private readonly watchlist: WatchlistRepository,
    private readonly alerts: AlertsRepository,
    private readonly rules: AlertRules,
    private readonly cipher: DataCipher,
    private readonly live: LiveGateway,
    private readonly crops: LiveCropStore,
    enrolment: FaceEnrolment,
  ) {
    this.threshold = cfg.faceMatchThreshold ?? enrolment.threshold;
    this.possibleFloor = Math.min(this.threshold, enrolment.searchThreshold);
  }

  /** Called with freshly committed events (CommittedEventsAlerts); returns at once. */
  enqueue(events: readonly GateEvent[]): void {
    for (const e of events) if (e.identity?.idNumber || e.identity?.faceTemplate || doorAlarmOf(e)) this.queue.push(e);
    if (this.queue.length && !this.running) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  /** Resolves once everything queued so far is handled (tests, shutdown). */
  settled(): Promise<void> {
    return this.running || this.queue.length ? new Promise((r) => this.idle.push(r)) : Promise.resolve();
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, 500);
      try {
        await this.check(batch);
      } catch (e) {
        this.log.error(`alert check of ${batch.length} events failed: ${(e as Error).message}`);
      }
    }
    this.running = false;
    for (const r of this.idle.splice(0)) r();
  }

  private async check(events: GateEvent[]): Promise<void> {
    const rows: AlertEntity[] = [];
    for (const e of events) {
      const door = this.doorAlert(e);
      if (door) rows.push(door);
      const matcher = this.matchers.site(e.siteId);
      if (matcher.size === 0) continue;
      const at = Date.parse(e.occurredAt);
      const hits = new Map<string, { entry: MatchEntry; kind: 'face' | 'face_near' | 'id_number'; score: number }>();
      if (e.identity?.idNumber) {
        for (const entry of matcher.matchIdNumber(this.cipher.idHmac(e.identity.idNumber), at, 'watchlist'))
          hits.set(entry.entryId, { entry, kind: 'id_number', score: 1 });
      }
      if (e.identity?.faceTemplate) {
        let t: Float32Array | null = null;
        try {
          t = decodeTemplate(e.identity.faceTemplate);
        } catch {
          /* a malformed template cannot match */
        }
        if (t)
          // At or above the alert threshold: a match, at the entry's severity. In the band below it
          // (the calibrated REVIEW floor up): a possible match, which security always sees — a
          // wanted person is never missed silently because the score fell just short.
          for (const m of matcher.matchFace(t, { threshold: this.possibleFloor, at, listKind: 'watchlist' }))
            if (!hits.has(m.entry.entryId))
              hits.set(m.entry.entryId, {
                entry: m.entry,
                kind: m.similarity >= this.threshold ? 'face' : 'face_near',
                score: m.similarity,
              });
      }
      for (const hit of hits.values()) {
        // Matches are critical and possible matches always reach security: neither waits on the site's rule.
        await this.sighting(e, hit);
      }
    }
    if (!rows.length) return;
    for (const r of await this.alerts.insert(rows)) this.push(SocketEvents.alertNew, r);
  }

  /**
   * A listed person seen at a gate. Within the site's window of the entry's last alert's last sighting
   * (or while that alert is still open or acknowledged) the sighting is folded into it: one alert per
   * person and visit, not one per camera frame. Otherwise a new alert is raised.
   */
  private async sighting(e: GateEvent, hit: { entry: MatchEntry; kind: 'face' | 'face_near' | 'id_number'; score: number }): Promise<void> {
    const entryId = hit.entry.entryId;
    if (await this.alerts.seen(e.eventId, entryId)) return;
    const snapshot = e.attachments?.find((a) => a.kind === 'face_crop') ?? e.attachments?.find((a) => a.kind === 'frame');
    const seenAt = Date.parse(e.occurredAt);
    const s = {
      eventId: e.eventId,
      entryId,
      gateId: e.gateId,
      laneId: e.laneId ?? null,
      occurredAt: seenAt,
      matchKind: hit.kind,
      score: hit.score,
      snapshotRef: snapshot?.ref ?? null,
    };
    this.crops.promote(e.eventId);
    const prev = await this.alerts.latestFor(e.siteId, entryId);
    if (
      prev &&
      (this.alerts.isActive(prev) || Math.abs(seenAt - (prev.lastSeenAt ?? prev.occurredAt)) <= this.rules.groupWindowMs(e.siteId))
    ) {
      // A match folded into a possible-match alert makes it critical (it was only 'medium').
      this.push(SocketEvents.alertUpdate, await this.alerts.fold(prev, s, hit.kind === 'face_near' ? undefined : MATCH_SEVERITY));
      return;
    }
    const row = await this.watchlist.find(entryId);
    if (!row) return;
    const id = randomUUID();
    const alert: AlertEntity = {
      id,
      kind: 'watchlist',
      siteId: e.siteId,
      zoneId: e.zoneId,
      gateId: e.gateId,
      laneId: e.laneId ?? null,
      eventId: e.eventId,
      entryId: row.id,
      listKind: row.listKind,
      // A match is critical; a possible match 'medium' (security reviews it); both whatever the site's severity floor.
      severity: hit.kind === 'face_near' ? POSSIBLE_SEVERITY : MATCH_SEVERITY,
      matchKind: hit.kind,
      score: hit.score,
      fullNameEnc: this.cipher.encrypt(this.watchlist.fullName(row), aad.alertName(id)),
      reason: row.reason,
      idNumberHmac: row.idNumberHmac,
      snapshotRef: snapshot?.ref ?? null,
      occurredAt: seenAt,
      raisedAt: Date.now(),
      ...NEW_ALERT,
      gatesJson: JSON.stringify([e.gateId]),
      lastSeenAt: seenAt,
      lastEventId: e.eventId,
      lastSnapshotRef: snapshot?.ref ?? null,
    };
    await this.alerts.raise(alert, s);
    this.push(SocketEvents.alertNew, alert);
  }

  private doorAlert(e: GateEvent): AlertEntity | undefined {
    const alarm = doorAlarmOf(e);
    if (!alarm || !this.rules.notify(e.siteId, DOOR_SEVERITY[alarm])) return undefined;
    const at = Date.parse(e.occurredAt);
    return {
      id: randomUUID(),
      kind: 'door',
      siteId: e.siteId,
      zoneId: e.zoneId,
      gateId: e.gateId,
      laneId: e.laneId ?? null,
      eventId: e.eventId,
      entryId: null,
      listKind: null,
      severity: DOOR_SEVERITY[alarm],
      matchKind: null,
      score: null,
      fullNameEnc: null,
      reason: alarm,
      idNumberHmac: null,
      snapshotRef: null,
      occurredAt: at,
      raisedAt: Date.now(),
      ...NEW_ALERT,
      gatesJson: JSON.stringify([e.gateId]),
      lastSeenAt: at,
      lastEventId: e.eventId,
      lastSnapshotRef: null,
    };
  }

  /** To the site's security/admin sockets, and to any other role the site's rule notifies. */
  push(event: string, row: AlertEntity): void {
    const server = this.live.server;
    if (!server) return;
    const roles = this.rules.notify(row.siteId, row.severity) ?? [];
    const rooms = [
      alertRoom(row.siteId),
      ...roles.filter((r) => r !== 'security' && r !== 'admin').map((r) => alertRoleRoom(row.siteId, r)),
    ];
    server.to(rooms).emit(event, this.alerts.view(row));
  }
}
