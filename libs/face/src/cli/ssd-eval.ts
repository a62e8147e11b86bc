import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { decodeImage } from '../decode/decode-image.js';
import type { RgbImage } from '../decode/rgb-image.js';

/**
 * Benchmark-only: face-api's SSD MobileNet v1 (as shipped in @vladmandic/face-api, MIT), run through
 * face-api itself on TF.js + its WebAssembly backend, one thread. It is not part of the pipeline: this
 * exists so `npm run bench:face -- --ssd` can show whether it would lower failures to enrol, and at
 * what cost per photo, next to the tiny detector the pipeline uses (see the README, "Face pipeline").
 */
export interface SsdResult {
  /** Faces found with score ≥ minConfidence. */
  faces: number;
  ms: number;
}

type FaceApi = {
  tf: {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    tensor3d(data: Uint8Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
  } & Record<string, unknown>;
  nets: { ssdMobilenetv1: { loadFromDisk(dir: string): Promise<void> } };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults?: number }) => unknown;
  detectAllFaces(input: unknown, options: unknown): Promise<unknown[]>;
};

export class SsdEvaluator {
  private constructor(
    private readonly api: FaceApi,
    private readonly minConfidence: number,
  ) {}

  static async create(minConfidence = 0.5): Promise<SsdEvaluator> {
    const require = createRequire(import.meta.url);
    const wasmDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
    const api = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(p: string): void; setThreadsCount(n: number): void };
    wasm.setWasmPaths(wasmDist);
    wasm.setThreadsCount(1);
    if (!(await api.tf.setBackend('wasm'))) throw new Error('TF.js wasm backend failed to initialise');
    await api.tf.ready();
    await api.nets.ssdMobilenetv1.loadFromDisk(join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model'));
    return new SsdEvaluator(api, minConfidence);
  }

  /** Detect on an encoded photo (decoded, EXIF-rotated and size-limited by the pipeline's decoder). */
  async detect(photo: Uint8Array): Promise<SsdResult> {
    return this.detectRgb(await decodeImage(photo));
  }

  async detectRgb(img: RgbImage): Promise<SsdResult> {
    const t = performance.now();
    const tensor = this.api.tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
    try {
      const found = await this.api.detectAllFaces(tensor, new this.api.SsdMobilenetv1Options({ minConfidence: this.minConfidence }));
      return { faces: found.length, ms: performance.now() - t };
    } finally {
      tensor.dispose();
    }
  }
}
