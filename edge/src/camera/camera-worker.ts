import { parentPort, workerData } from 'node:worker_threads';
import { createPersonDetector } from '../vision/create-person-detector.js';
import { CameraPipeline, lineSpecs } from './camera-pipeline.js';
import { renderViewFrame } from './live-view.js';
import type { RgbFrame } from './frame.js';
import type { CameraWorkerData, ParentToWorker, WorkerToParent } from './camera-worker-protocol.js';
import { countingSettings } from './counting-settings.js';
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
  // The camera's mount chooses the detector and tracker (camera-config.schema.ts, counting-profiles.ts).
  const settings = countingSettings(data.assignment.camera, data.modelPath);
  const detector = await createPersonDetector(settings.detector);
  const media = data.mediaDir && data.mediaKey ? new EncryptedMediaStore(data.mediaDir, Buffer.from(data.mediaKey)) : undefined;
  const pipeline = new CameraPipeline(data.assignment, detector, (event) => post({ type: 'event', event }), media, settings.tracker);
  const source = createFrameSource(data.assignment.camera);
  const report = () =>
    post({ type: 'health', health: source.health(), stats: pipeline.stats, dropped: source instanceof FfmpegSource ? source.dropped : 0 });
  const timer = setInterval(report, data.healthIntervalMs);
  // Live view: frames for the hub only while a lease holds, at its rate, one render at a time.
  const lines = lineSpecs(data.assignment);
  let view = { until: 0, fps: 0 };
  let lastView = 0;
  let rendering = false;
  let viewSeq = 0;
  const maybeView = (frame: RgbFrame) => {
    const now = Date.now();
    if (rendering || now >= view.until || now - lastView < 1000 / view.fps) return;
    rendering = true;
    lastView = now;
    const tracks = pipeline.tracks.map((t) => ({ id: t.id, box: { ...t.box }, state: t.state }));
    void renderViewFrame(frame, tracks, lines)
      .then((v) => {
        if (v && Date.now() < view.until)
          post({
            type: 'view-frame',
            seq: viewSeq++,
            at: frame.capturedAt,
            width: v.width,
            height: v.height,
            tracks: v.tracks,
            jpeg: v.jpeg,
          });
      })
      .catch(() => undefined)
      .finally(() => (rendering = false));
  };
  port.on('message', (m: ParentToWorker) => {
    if (m.type === 'view') {
      view = { until: m.until, fps: m.fps };
      return;
    }
    if (m.type === 'stop') {
      clearInterval(timer);
      void source.stop().then(async () => {
        report();
        await detector.dispose();
        port.close();
      });
    }
  });
  source.start(async (frame) => {
    await pipeline.process(frame);
    maybeView(frame);
  });
  post({ type: 'ready' });
  void source.ended.then(() => report());
}

main().catch((err: Error) => post({ type: 'fatal', message: err.message }));
