import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of this hub instance (own registry, so tests can run several hubs in one process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly ingested = new Counter({
    name: 'cg_ingest_events_total',
    help: 'Gate events accepted, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly watchlistResyncs = new Counter({
    name: 'cg_watchlist_resync_requests_total',
    help: 'Watchlist resync requests from gates, by result (snapshot, coalesced, current, limited, refused, elsewhere: claimed by another hub instance)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'cg_ingest_rejected_total',
    help: 'Messages refused and dead-lettered, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'cg_ingest_batch_seconds',
    help: 'Time to store one batch of events',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'cg_ingest_batch_size',
    help: 'Events per stored batch',
    buckets: [1, 10, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });
  /** Ticker messages this instance sent for its own commits (other instances' reach its sockets through Redis). */
  readonly tickerPushes = new Counter({
    name: 'cg_ticker_pushes_total',
    help: 'Live ticker messages (one per site per committed batch) this instance emitted',
    registers: [this.registry],
  });
  readonly storeRetries = new Counter({
    name: 'cg_ingest_store_retries_total',
    help: 'Batches retried after a database error',
    registers: [this.registry],
  });
  readonly gatesOnline = new Gauge({ name: 'cg_gates_online', help: 'Gates whose agent reports online', registers: [this.registry] });
  /** Camera health as the edge agents report it in their gate status messages. */
  readonly cameraFps = new Gauge({
    name: 'cg_camera_fps',
    help: 'Frames per second a gate camera delivers',
    labelNames: ['site', 'gate', 'camera'] as const,
    registers: [this.registry],
  });
  readonly cameraUp = new Gauge({
    name: 'cg_camera_streaming',
    help: '1 when the camera is streaming, 0 when connecting, stalled or failed',
    labelNames: ['site', 'gate', 'camera'] as const,
    registers: [this.registry],
  });
  readonly cameraReconnects = new Gauge({
    name: 'cg_camera_reconnects',
    help: 'Reconnects since the edge agent started',
    labelNames: ['site', 'gate', 'camera'] as const,
    registers: [this.registry],
  });
  readonly cameraLastFrame = new Gauge({
    name: 'cg_camera_last_frame_seconds',
    help: 'Unix time of the last frame',
    labelNames: ['site', 'gate', 'camera'] as const,
    registers: [this.registry],
  });
  /** A lane's QR scanner / camera QR input and its card reader, as the gate status reports them. */
  readonly laneDeviceUp = new Gauge({
    name: 'cg_lane_device_up',
    help: '1 when a lane device (card reader, QR input) is connected',
    labelNames: ['site', 'gate', 'lane', 'kind', 'device'] as const,
    registers: [this.registry],
  });
  /** Probes of the hub's dependencies (database, broker, Redis), read on every scrape; registered by HealthController. */
  readonly dependencyProbes = new Map<string, () => Promise<boolean> | boolean>();
  readonly dependencyUp = new Gauge({
    name: 'cg_dependency_up',
    help: '1 when the dependency (database, mqtt, redis) answers, 0 during its outage (the hub keeps running degraded)',
    labelNames: ['dependency'] as const,
    registers: [this.registry],
    collect: async () => {
      await Promise.all(
        [...this.dependencyProbes].map(async ([name, probe]) =>
          this.dependencyUp.set({ dependency: name }, (await Promise.resolve(probe()).catch(() => false)) ? 1 : 0),
        ),
      );
    },
  });
  readonly socketClients = new Gauge({ name: 'cg_socket_clients', help: 'Connected Socket.IO clients', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'cg_hub_' });
  }
}
