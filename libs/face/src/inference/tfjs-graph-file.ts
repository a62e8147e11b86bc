import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TfjsGraphArtifacts } from './inference-backend.js';

/** A TF.js graph model (model.json and its weight shards) read from disk. */
export async function readTfjsGraph(modelJsonPath: string): Promise<TfjsGraphArtifacts> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  const specs: TfjsGraphArtifacts['weightSpecs'] = [];
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) shards.push(await readFile(join(dirname(modelJsonPath), p)));
  }
  const all = Buffer.concat(shards);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
  };
}
