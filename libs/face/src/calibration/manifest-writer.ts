import { readFileSync, writeFileSync } from 'node:fs';
import { manifestSchema } from '../models/manifest-schema.js';
import type { CalibrationReport } from './calibrate.js';

/** Writes a calibration's threshold and figures into the embedder's manifest entry. */
export function writeCalibration(manifestPath: string, report: CalibrationReport, setLabel: string): void {
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  const found = Object.entries(manifest.models).find(([, e]) => e.task === 'embed');
  if (!found) throw new Error('manifest has no embed model');
  const [, embed] = found;
  embed.thresholds.cosine = round(report.chosen.threshold);
  embed.calibration = {
    set: setLabel,
    date: new Date().toISOString().slice(0, 10),
    genuinePairs: report.genuine.length,
    impostorPairs: report.impostor.length,
    failedToEnrol: report.failedToEnrol.length,
    eer: round(report.eer),
    tarAtFar1: round(report.atFar1.tar),
    tarAtFar01: round(report.atFar01.tar),
    targetFar: report.targetFar,
  };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;
