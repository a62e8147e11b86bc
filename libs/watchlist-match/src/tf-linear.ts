import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import type { GraphProjection } from './graph-projection.js';

/** The two matrix products a projected graph build needs, on TF.js' WebAssembly (XNNPACK) kernels. */
export interface TfLinear {
  /** xᵀx of an n×d row-major matrix. */
  gram(x: Float32Array, n: number, d: number): Float32Array;
  /** n rows of p.from projected by p and scaled to unit length: n×p.to, row-major. */
  project(p: GraphProjection, rows: Float32Array, n: number): Float32Array;
}

/**
 * Loads TF.js with its wasm backend in this thread (meant for the graph-build worker: a worker has its
 * own TF.js, so the face pipeline's backend on the main thread is not touched). About 15× faster than a
 * plain JavaScript loop for the 1 000 000 × 512 × 128 projection of a large watchlist.
 */
export async function loadTfLinear(): Promise<TfLinear> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend failed to initialise');
  await tf.ready();
  // Plain tensors disposed by hand: the same products inside tf.tidy ran 20–30× slower on the wasm backend.
  const run = (make: (keep: Tensor[]) => Tensor): Float32Array => {
    const made: Tensor[] = [];
    try {
      return make(made).dataSync() as Float32Array;
    } finally {
      for (const t of made) t.dispose();
    }
  };
  const cache = new WeakMap<GraphProjection, { basisT: Tensor; meanB: Tensor }>();
  return {
    gram(x, n, d) {
      return run((made) => {
        const t = track(made, tf.tensor2d(x, [n, d]));
        const tt = track(made, tf.transpose(t));
        return track(made, tf.matMul(tt, t));
      });
    },
    project(p, rows, n) {
      let c = cache.get(p);
      if (!c) {
        // (x − μ)·Bᵀ = x·Bᵀ − μ·Bᵀ, with Bᵀ laid out from×to once.
        const basis = tf.tensor2d(p.basis, [p.to, p.from]);
        const mean = tf.tensor2d(p.mean, [1, p.from]);
        const basisT = tf.transpose(basis);
        const meanB = tf.matMul(mean, basisT);
        basis.dispose();
        mean.dispose();
        c = { basisT, meanB };
        cache.set(p, c);
      }
      const { basisT, meanB } = c;
      return run((made) => {
        const x = track(made, tf.tensor2d(rows.subarray(0, n * p.from), [n, p.from]));
        const y = track(made, tf.sub(track(made, tf.matMul(x, basisT)), meanB));
        const norm = track(made, tf.maximum(track(made, tf.norm(y, 'euclidean', 1, true)), 1e-12));
        return track(made, tf.div(y, norm));
      });
    },
  };
}

function track<T extends Tensor>(made: Tensor[], t: T): T {
  made.push(t);
  return t;
}
