import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Socket } from 'socket.io';
import {
  CAMERA_VIEW,
  CameraFrameSchema,
  CameraWatchRequestSchema,
  cameraRoom,
  describeSchemaError,
  parseCameraFramesTopic,
  SocketEvents,
  type CameraFramePayload,
  type CameraWatchRequest,
} from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { socketPrincipal } from '../realtime/socket-auth.service.js';
import { LiveGateway } from '../realtime/live.gateway.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { GateMqttBridge } from './gate-mqtt.bridge.js';

/** Largest frames message parsed: the JPEG's base64 and a little JSON around it. */
const MAX_FRAME_MESSAGE = Math.ceil(CAMERA_VIEW.maxJpegBytes / 3) * 4 + 2048;
/** A socket gets at most `maxFps` frames a second per camera, whatever the edges send. */
const MIN_GAP_MS = Math.floor(1000 / CAMERA_VIEW.maxFps) - 20;

const keyOf = (r: CameraWatchRequest) => `${r.siteId}/${r.gateId}/${r.cameraId}`;

/**
 * Live camera tiles. A socket asks to watch a camera (`camera:watch`); the hub checks the site's
 * `liveCameras` rule for the viewer's role, audits the start of viewing, and joins the socket to the
 * camera's room. While a camera's room has sockets on this instance, the hub sends its gate a view
 * lease every few seconds; the edge streams annotated frames only while a lease holds, so a crashed
 * hub leaves no edge streaming. Frames are relayed to each watching socket at most `maxFps` a
 * second, as volatile messages (a socket whose connection is behind skips frames, never queues them).
 */
@Injectable()
export class CameraViewRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('CameraView');
  /** Cameras with watchers on this instance. */
  private readonly watched = new Map<string, CameraWatchRequest>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bridge: GateMqttBridge,
    private readonly registry: SiteRegistry,
    private readonly live: LiveGateway,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    this.bridge.onCameraFrame = (topic, payload) => this.relay(topic, payload);
    this.live.cameraViews = this;
    this.timer = setInterval(() => this.renew(), CAMERA_VIEW.renewMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private get server() {
    return this.live.server;
  }

  /** `camera:watch`: checked, audited, joined; the gate is asked for frames at once. */
  async watch(socket: Socket, body: unknown): Promise<{ ok: boolean; error?: string }> {
    const r = CameraWatchRequestSchema.safeParse(body);
    if (!r.success) return { ok: false, error: describeSchemaError(r.error) };
    const q = r.data;
    const p = socketPrincipal(socket);
    if (!this.registry.gate(q.siteId, q.gateId)) return { ok: false, error: `unknown gate ${q.gateId} of site ${q.siteId}` };
    if (!this.registry.mayWatchCameras(p, q.siteId)) return { ok: false, error: `not allowed to watch the cameras of site ${q.siteId}` };
    if (!this.registry.cameraKnown(q.siteId, q.gateId, q.cameraId))
      return { ok: false, error: `unknown camera ${q.cameraId} of gate ${q.gateId}` };
    const room = cameraRoom(q.siteId, q.gateId, q.cameraId);
    if (socket.rooms.has(room)) return { ok: true };
    // Live video of people is personal data: every start of viewing is on the audit trail.
    await this.audit.record({
      actor: p,
      action: 'camera.view',
      subjectType: 'camera',
      subjectId: `${q.gateId}/${q.cameraId}`,
      siteId: q.siteId,
      detail: { gateId: q.gateId, cameraId: q.cameraId },
    });
    await socket.join(room);
    const key = keyOf(q);
    if (!this.watched.has(key)) {
      this.watched.set(key, q);
      this.lease(q);
    }
    return { ok: true };
  }

  async unwatch(socket: Socket, body: unknown): Promise<{ ok: boolean; error?: string }> {
    const r = CameraWatchRequestSchema.safeParse(body);
    if (!r.success) return { ok: false, error: describeSchemaError(r.error) };
    await socket.leave(cameraRoom(r.data.siteId, r.data.gateId, r.data.cameraId));
    return { ok: true };
  }

  /** Sockets of this instance in a camera's room. */
  private watchers(q: CameraWatchRequest): Socket[] {
    const server = this.server;
    if (!server) return [];
    const ns = server.of('/');
    const ids = ns.adapter.rooms.get(cameraRoom(q.siteId, q.gateId, q.cameraId));
    return [...(ids ?? [])].flatMap((id) => ns.sockets.get(id) ?? []);
  }

  private lease(q: CameraWatchRequest): void {
    this.bridge.publishLease({ ...q, until: new Date(Date.now() + CAMERA_VIEW.leaseMs).toISOString(), fps: CAMERA_VIEW.defaultFps });
  }

  /** Renews the lease of every camera someone here still watches; forgets the others (their lease runs out). */
  private renew(): void {
    for (const [key, q] of this.watched) {
      if (this.watchers(q).length === 0) this.watched.delete(key);
      else this.lease(q);
    }
  }

  private relay(topic: string, payload: Buffer): void {
    const t = parseCameraFramesTopic(topic);
    if (!t || payload.length > MAX_FRAME_MESSAGE) return;
    const key = `${t.siteId}/${t.gateId}/${t.cameraId}`;
    if (!this.watched.has(key)) return; // nobody here watches (another instance's lease, or one running out)
    let json: unknown;
    try {
      json = JSON.parse(payload.toString());
    } catch {
      return;
    }
    const r = CameraFrameSchema.safeParse(json);
    // A gate speaks only for itself (the broker ACL ties the topic to its login; the body must agree).
    if (!r.success || r.data.siteId !== t.siteId || r.data.gateId !== t.gateId || r.data.cameraId !== t.cameraId) return;
    if (!this.registry.cameraKnown(t.siteId, t.gateId, t.cameraId)) return;
    const f = r.data;
    const jpeg = Buffer.from(f.jpeg, 'base64');
    if (jpeg.length > CAMERA_VIEW.maxJpegBytes) return;
    const out: CameraFramePayload = {
      siteId: f.siteId,
      gateId: f.gateId,
      cameraId: f.cameraId,
      seq: f.seq,
      at: f.at,
      width: f.width,
      height: f.height,
      tracks: f.tracks,
      jpeg,
    };
    const now = Date.now();
    for (const socket of this.watchers(t)) {
      const p = socketPrincipal(socket);
      // Checked again per frame: the room was joined under the rule, and a socket lives with its grant.
      if (!p || !this.registry.mayWatchCameras(p, t.siteId)) continue;
      const sent = ((socket.data.cameraSentAt as Map<string, number> | undefined) ??= new Map<string, number>());
      if (now - (sent.get(key) ?? 0) < MIN_GAP_MS) continue;
      sent.set(key, now);
      socket.volatile.emit(SocketEvents.cameraFrame, out);
    }
  }
}
