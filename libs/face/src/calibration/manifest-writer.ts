import { readFileSync, writeFileSync } from 'node:fs';
import { manifestSchema } from '../models/manifest-schema.js';
import type { CalibrationReport } from './calibrate.js';
import { USE_KEYS } from '../compare/use-thresholds.js';
import { rates, type Evaluation, type FaceUse, type UseThreshold } from './evaluate.js';

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

/** Writes per-use thresholds and the figures behind them into one embedder's manifest entry. */
export function writeUseThresholds(
  manifestPath: string,
  embedderId: string,
  ev: Evaluation,
  uses: Record<FaceUse, UseThreshold>,
  setLabel: string,
): void {
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  const embed = manifest.models[embedderId];
  if (!embed || embed.task !== 'embed') throw new Error(`manifest has no embed model ${embedderId}`);
  for (const [use, t] of Object.entries(uses) as [FaceUse, UseThreshold][]) {
    embed.thresholds[USE_KEYS[use].accept] = round(t.accept);
    embed.thresholds[USE_KEYS[use].review] = round(t.review);
  }
  const all = rates(ev.overall);
  embed.calibration = {
    set: setLabel,
    date: new Date().toISOString().slice(0, 10),
    photos: ev.photos,
    genuinePairs: ev.overall.genuine.length,
    impostorPairs: ev.overall.impostor.length,
    failedToEnrol: ev.fte.length,
    eer: round(all.eer),
    tarAtFar1: round(all.atFar1.tar),
    tarAtFar01: round(all.atFar01.tar),
    targetFar: uses.card.targetFar,
    groups: Object.fromEntries(
      [...ev.byGroup].map(([g, s]) => [
        g,
        {
          genuinePairs: s.genuine.length,
          impostorPairs: s.impostor.length,
          impostorMax: s.impostor.length ? round(Math.max(...s.impostor)) : null,
        },
      ]),
    ),
    uses: Object.fromEntries(
      Object.values(uses).map((t) => [
        t.use,
        {
          targetFar: t.targetFar,
          accept: round(t.accept),
          review: round(t.review),
          tar: round(t.overall.tar),
          far: round(t.overall.far),
          setBy: t.setBy,
        },
      ]),
    ),
  };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;
