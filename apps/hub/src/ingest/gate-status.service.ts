import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { describeSchemaError, GateStatusSchema, parseGateTopic } from '../../../../libs/contracts/src/index.js';
import { GateEntity } from '../database/entities/index.js';
import { MetricsService } from '../observability/metrics.service.js';
import { LiveGateway } from '../realtime/live.gateway.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { DeadLetterService } from './dead-letter.service.js';

/** Gate status messages (online, last will offline, camera and lane device health) → gates table, metrics, sockets. */
@Injectable()
export class GateStatusService {
  private readonly online = new Set<string>();
  private readonly devices = new Map<string, string>();

  constructor(
    private readonly db: DataSource,
    private readonly registry: SiteRegistry,
    private readonly deadLetters: DeadLetterService,
    private readonly metrics: MetricsService,
    private readonly live: LiveGateway,
  ) {}

  /** One series per lane and device kind: a device renamed by the gate replaces its old series. */
  private deviceUp(site: string, gate: string, lane: string, kind: string, device: string, up: number): void {
    const key = `${site}/${gate}/${lane}/${kind}`;
    const before = this.devices.get(key);
    if (before !== undefined && before !== device) this.metrics.laneDeviceUp.remove({ site, gate, lane, kind, device: before });
    this.devices.set(key, device);
    this.metrics.laneDeviceUp.set({ site, gate, lane, kind, device }, up);
  }

  async accept(topic: string, payload: Buffer, json: unknown): Promise<void> {
    const r = GateStatusSchema.safeParse(json);
    if (!r.success) return this.deadLetters.reject(topic, payload, 'schema', describeSchemaError(r.error));
    const s = r.data;
    const t = parseGateTopic(topic)!;
    if (s.siteId !== t.siteId || s.gateId !== t.gateId)
      return this.deadLetters.reject(topic, payload, 'topic_mismatch', `payload says ${s.siteId}/${s.gateId}`);
    if (!this.registry.gate(s.siteId, s.gateId))
      return this.deadLetters.reject(topic, payload, 'unknown_gate', `gate ${s.gateId} of site ${s.siteId} is not registered`);
    // Device ids come from the gate: only configured lanes and cameras reach metrics, the table and sockets.
    const unknownCameras = (s.cameras ?? [])
      .filter((c) => !this.registry.cameraAllowed(s.siteId, s.gateId, c.cameraId))
      .map((c) => c.cameraId);
    const laneOk = (laneId: string) => this.registry.laneAllowed(s.siteId, s.gateId, laneId);
    const unknownLanes = [...new Set([...(s.qrInputs ?? []), ...(s.cardReaders ?? [])].map((d) => d.laneId).filter((l) => !laneOk(l)))];
    if (unknownCameras.length || unknownLanes.length) {
      const what = [
        unknownCameras.length ? `camera(s) ${unknownCameras.slice(0, 10).join(', ')}` : '',
        unknownLanes.length ? `lane(s) ${unknownLanes.slice(0, 10).join(', ')}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      await this.deadLetters.reject(
        topic,
        payload,
        unknownCameras.length ? 'unknown_camera' : 'unknown_lane',
        `${what} not configured for gate ${s.gateId}; ignored, the rest of the status applied`,
      );
      if (s.cameras) s.cameras = s.cameras.filter((c) => !unknownCameras.includes(c.cameraId));
      if (s.qrInputs) s.qrInputs = s.qrInputs.filter((q) => laneOk(q.laneId));
      if (s.cardReaders) s.cardReaders = s.cardReaders.filter((r) => laneOk(r.laneId));
    }
    const key = `${s.siteId}/${s.gateId}`;
    if (s.state === 'online') this.online.add(key);
    else this.online.delete(key);
    this.metrics.gatesOnline.set(this.online.size);
    for (const c of s.cameras ?? []) {
      const labels = { site: s.siteId, gate: s.gateId, camera: c.cameraId };
      this.metrics.cameraFps.set(labels, s.state === 'online' ? c.fps : 0);
      this.metrics.cameraUp.set(labels, s.state === 'online' && c.state === 'streaming' ? 1 : 0);
      this.metrics.cameraReconnects.set(labels, c.reconnects);
      if (c.lastFrameAt) this.metrics.cameraLastFrame.set(labels, Date.parse(c.lastFrameAt) / 1000);
    }
    const online = s.state === 'online' ? 1 : 0;
    for (const q of s.qrInputs ?? []) this.deviceUp(s.siteId, s.gateId, q.laneId, `qr_${q.kind}`, q.source, online && q.connected ? 1 : 0);
    for (const r of s.cardReaders ?? [])
      this.deviceUp(s.siteId, s.gateId, r.laneId, 'card_reader', r.reader, online && r.connected ? 1 : 0);
    await this.db
      .getRepository(GateEntity)
      .update({ siteId: s.siteId, id: s.gateId }, { online: s.state === 'online', statusAt: Date.now(), statusJson: JSON.stringify(s) });
    this.live.publishGateStatus(s);
  }
}
