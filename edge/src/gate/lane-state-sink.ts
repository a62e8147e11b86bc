import { LaneStateSchema, topics, type LaneState } from '../../../libs/contracts/src/index.js';
import type { GateLink } from '../mqtt/gate-link.js';
import type { OutboxService } from '../outbox/outbox.service.js';
import type { LaneSink } from './lane-ports.js';

/**
 * Where a gate's lanes send their results: decisions into the durable outbox (delivered to the hub
 * when it can be reached), lane states to the console over the gate's link — live view only, never
 * queued, dropped while the broker is away.
 */
export class LaneStateSink implements LaneSink {
  constructor(
    private readonly siteId: string,
    private readonly gateId: string,
    private readonly link: GateLink,
    private readonly outbox: OutboxService,
  ) {}

  decision: LaneSink['decision'] = (e) => this.outbox.enqueue(e);

  state(s: LaneState): void {
    if (!this.link.connected) return;
    this.link.sendLive(topics.gateLanes(this.siteId, this.gateId), JSON.stringify(LaneStateSchema.parse(s)));
  }

  online(): boolean {
    return this.link.connected;
  }

  /** A lane that could not start: shown as `fault` with the reason on the console, at every (re)connect. */
  showFault(laneId: string, reason: string): void {
    const send = () =>
      this.state({ siteId: this.siteId, gateId: this.gateId, laneId, phase: 'fault', at: new Date().toISOString(), reasons: [reason] });
    this.link.onConnect(send);
    if (this.link.connected) send();
  }
}
