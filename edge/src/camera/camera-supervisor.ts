import { Worker } from 'node:worker_threads';
import type { CameraHealth } from '../../../libs/contracts/src/index.js';
import { Backoff } from './backoff.js';
import { CameraAssignmentSchema, type CameraAssignment } from './camera-config.schema.js';
import type { GateEventSink, PipelineStats } from './camera-pipeline.js';
import type { CameraWorkerData, WorkerToParent } from './camera-worker-protocol.js';

export interface CameraSupervisorOptions {
  sink: GateEventSink;
  mediaDir?: string;
  mediaKey?: Uint8Array;
  modelPath?: string;
  healthIntervalMs?: number;
  /** A live-view frame of a camera (sent only while a view lease holds, see `view`). */
  onViewFrame?: (cameraId: string, f: Extract<WorkerToParent, { type: 'view-frame' }>) => void;
  /** Called for each camera state change or worker failure (for the edge's log). */
  log?: (cameraId: string, message: string) => void;
}

interface Slot {
  cameraId: string;
  assignment?: CameraAssignment;
  worker?: Worker;
  health: CameraHealth;
  stats?: PipelineStats;
  dropped: number;
  restart: Backoff;
  timer?: NodeJS.Timeout;
  view?: { until: number; fps: number };
}

/**
 * Runs every camera of the edge box, each in its own worker thread, and gathers their gate events and
 * health. A camera with a bad config is reported failed and skipped; a worker that dies is restarted
 * with backoff; neither touches the other cameras.
 */
export class CameraSupervisor {
  private readonly slots = new Map<string, Slot>();
  private stopping = false;

  constructor(private readonly o: CameraSupervisorOptions) {}

  /** Starts the cameras; entries are validated one by one (unknown input from the edge's YAML). */
  start(assignments: readonly unknown[]): void {
    assignments.forEach((raw, i) => {
      const parsed = CameraAssignmentSchema.safeParse(raw);
      const id = cameraIdOf(raw) ?? `camera-${i + 1}`;
      if (!parsed.success) {
        const why = parsed.error.issues.map((x) => `${x.path.join('.') || '(camera)'}: ${x.message}`).join('; ');
        const msg = `invalid camera config: ${why}`;
        this.slots.set(id, { cameraId: id, health: failed(id, msg), dropped: 0, restart: newBackoff() });
        this.o.log?.(id, msg);
        return;
      }
      const slot: Slot = {
        cameraId: parsed.data.camera.id,
        assignment: parsed.data,
        health: { cameraId: parsed.data.camera.id, state: 'connecting', fps: 0, reconnects: 0 },
        dropped: 0,
        restart: newBackoff(),
      };
      this.slots.set(slot.cameraId, slot);
      this.spawn(slot);
    });
  }

  health(): CameraHealth[] {
    return [...this.slots.values()].map((s) => s.health);
  }

  /** Live view of one camera until `until` (epoch ms) at `fps`; survives a worker restart. False: no such camera. */
  view(cameraId: string, until: number, fps: number): boolean {
    const s = this.slots.get(cameraId);
    if (!s?.assignment) return false;
    s.view = { until, fps };
    s.worker?.postMessage({ type: 'view', until, fps });
    return true;
  }

  stats(cameraId: string): { stats?: PipelineStats; dropped: number } | undefined {
    const s = this.slots.get(cameraId);
    return s && (s.stats ? { stats: s.stats, dropped: s.dropped } : { dropped: s.dropped });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.slots.values()].map(async (s) => {
        clearTimeout(s.timer);
        const w = s.worker;
        if (!w) return;
        const exited = new Promise<void>((r) => w.once('exit', () => r()));
        w.postMessage({ type: 'stop' });
        const forced = setTimeout(() => void w.terminate(), 5000);
        await exited;
        clearTimeout(forced);
      }),
    );
  }

  private spawn(slot: Slot): void {
    const data: CameraWorkerData = {
      assignment: slot.assignment!,
      healthIntervalMs: this.o.healthIntervalMs ?? 1000,
      ...(this.o.mediaDir && this.o.mediaKey ? { mediaDir: this.o.mediaDir, mediaKey: this.o.mediaKey } : {}),
      ...(this.o.modelPath ? { modelPath: this.o.modelPath } : {}),
    };
    const worker = new Worker(new URL('./camera-worker.js', import.meta.url), { workerData: data });
    slot.worker = worker;
    let lastState = slot.health.state;
    worker.on('message', (m: WorkerToParent) => {
      switch (m.type) {
        case 'event':
          void Promise.resolve(this.o.sink(m.event)).catch((err: Error) => this.o.log?.(slot.cameraId, `sink failed: ${err.message}`));
          break;
        case 'health':
          slot.health = { ...m.health, reconnects: m.health.reconnects + (slot.restart.attempts > 0 ? slot.restart.attempts : 0) };
          slot.stats = m.stats;
          slot.dropped = m.dropped;
          if (m.health.state === 'streaming') slot.restart.reset();
          if (m.health.state !== lastState) {
            this.o.log?.(slot.cameraId, `${m.health.state}${m.health.error ? `: ${m.health.error}` : ''}`);
            lastState = m.health.state;
          }
          break;
        case 'fatal':
          slot.health = failed(slot.cameraId, m.message);
          this.o.log?.(slot.cameraId, `camera worker failed: ${m.message}`);
          void worker.terminate();
          break;
        case 'ready':
          if (slot.view && slot.view.until > Date.now()) worker.postMessage({ type: 'view', ...slot.view });
          break;
        case 'view-frame':
          this.o.onViewFrame?.(slot.cameraId, m);
          break;
      }
    });
    worker.on('error', (err) => {
      slot.health = failed(slot.cameraId, `camera worker crashed: ${err.message}`);
      this.o.log?.(slot.cameraId, slot.health.error!);
    });
    worker.on('exit', () => {
      if (slot.worker === worker) slot.worker = undefined;
      if (this.stopping) return;
      const delay = slot.restart.next();
      slot.timer = setTimeout(() => !this.stopping && this.spawn(slot), delay);
    });
  }
}

function newBackoff(): Backoff {
  return new Backoff({ initialMs: 1000, maxMs: 60_000, jitter: 0.5 });
}

function failed(cameraId: string, error: string): CameraHealth {
  return { cameraId, state: 'failed', fps: 0, reconnects: 0, error: error.slice(0, 500) };
}

function cameraIdOf(raw: unknown): string | undefined {
  const id = (raw as { camera?: { id?: unknown } })?.camera?.id;
  return typeof id === 'string' && /^[a-z0-9][a-z0-9_-]{0,62}$/.test(id) ? id : undefined;
}
