import { parentPort, workerData } from 'node:worker_threads';
import { TfjsWasmBackend } from '../../../libs/face/src/inference/tfjs-wasm-backend.js';
import { MoveNetMultiPoseDetector } from '../vision/movenet-multipose-detector.js';
import { personModelPath } from '../vision/person-models.js';
import { CameraPipeline } from './camera-pipeline.js';
import type { CameraWorkerData, ParentToWorker, WorkerToParent } from './camera-worker-protocol.js';
import { createFrameSource } from './create-frame-source.js';
import { FfmpegSource } from './ffmpeg-source.js';
import { EncryptedMediaStore } from './media-store.js';

/**
 * One camera in its own thread: its own decoder child process, its own model instance and event loop,
 * so a slow or dead camera never holds up another. Talks to the supervisor by messages only.
 */
const data = workerData as CameraWorkerData;
const port = parentPort!;
const post = (m: WorkerToParent) => port.postMessage(m);

async function main(): Promise<void> {
  const detector = await MoveNetMultiPoseDetector.create(new TfjsWasmBackend(), { modelPath: data.modelPath ?? personModelPath() });
  const media = data.mediaDir && data.mediaKey ? new EncryptedMediaStore(data.mediaDir, Buffer.from(data.mediaKey)) : undefined;
  const pipeline = new CameraPipeline(data.assignment, detector, (event) => post({ type: 'event', event }), media);
  const source = createFrameSource(data.assignment.camera);
  const report = () =>
    post({ type: 'health', health: source.health(), stats: pipeline.stats, dropped: source instanceof FfmpegSource ? source.dropped : 0 });
  const timer = setInterval(report, data.healthIntervalMs);
  port.on('message', (m: ParentToWorker) => {
    if (m.type === 'stop') {
      clearInterval(timer);
      void source.stop().then(async () => {
        report();
        await detector.dispose();
        port.close();
      });
    }
  });
  source.start((frame) => pipeline.process(frame));
  post({ type: 'ready' });
  void source.ended.then(() => report());
}

main().catch((err: Error) => post({ type: 'fatal', message: err.message }));
