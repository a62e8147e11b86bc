/**
 * What bench:ingest and bench:scale measure, the same way: a wall's socket on one hub instance
 * subscribed to the site (publish→socket latency of every ticker event) and the hub's counted total,
 * polled until an offered step of simulated traffic has been stored and counted.
 */
import { io, type Socket } from 'socket.io-client';
import { SocketEvents, type CountsPayload, type EventsNewPayload } from '../libs/contracts/src/index.js';
import type { EdgeConfig } from '../edge/src/config/edge-config.schema.js';
import type { OutboxService } from '../edge/src/outbox/outbox.service.js';
import { TrafficSimulator } from '../edge/src/simulator/traffic-simulator.js';
import { authedJson } from '../test/support/hub-auth.js';
import { waitFor } from '../test/support/wait-for.js';

export const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN;

/** One offered rate: what was stored and counted per second, and publish→socket p50/p99 (ms). */
export interface StepResult {
  offered: number;
  stored: number;
  p50: number;
  p99: number;
}

export class IngestMeter {
  private latencies: number[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly hubUrl: string,
    private readonly token: string,
    private readonly siteId: string,
  ) {
    socket.on(SocketEvents.eventsNew, (p: EventsNewPayload) => {
      const now = Date.now();
      for (const e of p.events) this.latencies.push(now - Date.parse(e.occurredAt));
    });
  }

  /** A wall on `hubUrl` subscribed to `siteId`. */
  static async open(hubUrl: string, token: string, siteId: string): Promise<IngestMeter> {
    const socket = io(hubUrl, { transports: ['websocket'], auth: { token } });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    await socket.timeout(5000).emitWithAck(SocketEvents.subscribe, { siteIds: [siteId] });
    return new IngestMeter(socket, hubUrl, token, siteId);
  }

  /** Today's entries + exits of the site, as the hub counts them. */
  async counted(): Promise<number> {
    const c = await authedJson(this.token)<CountsPayload>(`${this.hubUrl}/api/counts/today?siteId=${this.siteId}`);
    return c.site.entries + c.site.exits;
  }

  /** `rate` events/s for `stepS` seconds through the edge's outbox, timed until all of them are counted. */
  async step(cfg: EdgeConfig, outbox: OutboxService, rate: number, stepS: number): Promise<StepResult> {
    this.latencies = [];
    const limit = rate * stepS;
    const before = await this.counted();
    const sim = new TrafficSimulator(cfg, outbox, { rate, limit });
    const t0 = performance.now();
    sim.start();
    await waitFor(() => sim.done, Boolean, stepS * 1000 + 60_000, 'simulator step');
    await waitFor(
      () => this.counted(),
      (n) => n >= before + limit,
      180_000,
      `hub caught up at ${rate}/s`,
    );
    return {
      offered: rate,
      stored: Math.round(limit / ((performance.now() - t0) / 1000)),
      p50: pct(this.latencies, 50),
      p99: pct(this.latencies, 99),
    };
  }

  close(): void {
    this.socket.disconnect();
  }
}
