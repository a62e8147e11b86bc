import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FacePipeline } from '../pipeline/face-pipeline.js';
import { readPairs, type LabelledPair } from './labelled-pairs.js';
import { equalErrorRate, ratesAt, thresholdAtFar, type RatesAt } from './roc.js';

/** Scores every labelled pair of a face set with the pipeline and derives the operating point. */
export interface CalibrationReport {
  set: string;
  images: number;
  failedToEnrol: string[];
  genuine: number[];
  impostor: number[];
  /** Pairs not scored because a photo had no usable face. */
  skippedPairs: number;
  eer: number;
  eerThreshold: number;
  atFar1: RatesAt;
  atFar01: RatesAt;
  targetFar: number;
  /** The threshold chosen (at targetFar). */
  chosen: RatesAt;
}

export async function scorePairs(
  pipeline: FacePipeline,
  dir: string,
  pairs: readonly LabelledPair[],
): Promise<{ embeddings: Map<string, Float32Array | undefined>; genuine: number[]; impostor: number[]; skipped: number }> {
  const paths = [...new Set(pairs.flatMap((p) => [p.a, p.b]))].sort();
  const embeddings = new Map<string, Float32Array | undefined>();
  for (const p of paths) embeddings.set(p, await pipeline.embed(await readFile(join(dir, p))));
  const genuine: number[] = [];
  const impostor: number[] = [];
  let skipped = 0;
  for (const pair of pairs) {
    const a = embeddings.get(pair.a);
    const b = embeddings.get(pair.b);
    if (!a || !b) {
      skipped++;
      continue;
    }
    (pair.same ? genuine : impostor).push(pipeline.compare(a, b));
  }
  return { embeddings, genuine, impostor, skipped };
}

export async function calibrate(pipeline: FacePipeline, dir: string, targetFar = 0.001): Promise<CalibrationReport> {
  const pairs = readPairs(dir);
  const { embeddings, genuine, impostor, skipped } = await scorePairs(pipeline, dir, pairs);
  const { eer, threshold: eerThreshold } = equalErrorRate(genuine, impostor);
  return {
    set: dir,
    images: embeddings.size,
    failedToEnrol: [...embeddings].filter(([, e]) => !e).map(([p]) => p),
    genuine,
    impostor,
    skippedPairs: skipped,
    eer,
    eerThreshold,
    atFar1: thresholdAtFar(genuine, impostor, 0.01),
    atFar01: thresholdAtFar(genuine, impostor, 0.001),
    targetFar,
    chosen: thresholdAtFar(genuine, impostor, targetFar),
  };
}

export { ratesAt };
