import type { CameraHealth, GateEvent } from '../../../libs/contracts/src/index.js';
import type { CameraAssignment } from './camera-config.schema.js';
import type { PipelineStats } from './camera-pipeline.js';

/** What a camera worker thread is started with. */
export interface CameraWorkerData {
  assignment: CameraAssignment;
  /** Directory for best-shot face crops (encrypted with `mediaKey`); none → events carry no crop. */
  mediaDir?: string;
  /** AES-256 key of the crops, 32 bytes. */
  mediaKey?: Uint8Array;
  /** Person model graph; the manifest's default when absent. */
  modelPath?: string;
  healthIntervalMs: number;
}

export type WorkerToParent =
  | { type: 'ready' }
  | { type: 'event'; event: GateEvent }
  | { type: 'health'; health: CameraHealth; stats: PipelineStats; dropped: number }
  | { type: 'fatal'; message: string }
  /** One annotated live-view frame (only while a view lease holds). */
  | { type: 'view-frame'; seq: number; at: number; width: number; height: number; tracks: number; jpeg: Uint8Array };

/** `view`: send live-view frames at `fps` until `until` (epoch ms); a later message replaces it. */
export type ParentToWorker = { type: 'stop' } | { type: 'view'; until: number; fps: number };
