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

  constructor(
    private readonly db: DataSource,
    private readonly registry: SiteRegistry,
    private readonly deadLetters: DeadLetterService,
    private readonly metrics: MetricsService,
    private readonly live: LiveGateway,
  ) {}

  async accept(topic: string, payload: Buffer, json: unknown): Promise<void> {
    const r = GateStatusSchema.safeParse(json);
    if (!r.success) return this.deadLetters.reject(topic, payload, 'schema', describeSchemaError(r.error));
    const s = r.data;
    const t = parseGateTopic(topic)!;
    if (s.siteId !== t.siteId || s.gateId !== t.gateId)
      return this.deadLetters.reject(topic, payload, 'topic_mismatch', `payload says ${s.siteId}/${s.gateId}`);
    if (!this.registry.gate(s.siteId, s.gateId))
      return this.deadLetters.reject(topic, payload, 'unknown_gate', `gate ${s.gateId} of site ${s.siteId} is not registered`);
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
    for (const q of s.qrInputs ?? []) this.metrics.laneDeviceUp.set({ site: s.siteId, gate: s.gateId, lane: q.laneId, kind: `qr_${q.kind}`, device: q.source }, online && q.connected ? 1 : 0);
    for (const r of s.cardReaders ?? []) this.metrics.laneDeviceUp.set({ site: s.siteId, gate: s.gateId, lane: r.laneId, kind: 'card_reader', device: r.reader }, online && r.connected ? 1 : 0);
    await this.db
      .getRepository(GateEntity)
      .update({ siteId: s.siteId, id: s.gateId }, { online: s.state === 'online', statusAt: Date.now(), statusJson: JSON.stringify(s) });
    this.live.publishGateStatus(s);
  }
}
