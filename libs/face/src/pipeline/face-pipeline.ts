import type { Affine, Box, Point } from '../align/geometry.js';
import { FaceAligner } from '../align/face-aligner.js';
import { fivePointsFrom68 } from '../align/dlib-face-template.js';
import { decideMatch, type MatchDecision } from '../compare/match-decision.js';
import { cosineSimilarity } from '../compare/cosine.js';
import { useThreshold, type FaceUse, type UseThreshold } from '../compare/use-thresholds.js';
import { decodeImage, DEFAULT_MAX_PIXELS } from '../decode/decode-image.js';
import { assertRgbImage, type RgbImage } from '../decode/rgb-image.js';
import { chipToPlanar } from '../align/warp.js';
import { FaceDetector, type DetectorOptions } from '../detect/face-detector.js';
import { searchFaces, type SearchDepth } from '../detect/face-search.js';
import { FaceEmbedder } from '../embed/face-embedder.js';
import type { InferenceBackend, LoadedModel } from '../inference/inference-backend.js';
import { OnnxBackend } from '../inference/onnx-backend.js';
import { TfjsWasmBackend } from '../inference/tfjs-wasm-backend.js';
import { FaceLandmarker } from '../landmarks/face-landmarker.js';
import { LivenessScorer } from '../liveness/liveness-scorer.js';
import { rankSubjects } from '../detect/subject-face.js';

/** Faces (largest first) whose landmarks are computed to choose the subject. */
const MAX_CANDIDATES = 8;
import type { ModelEntry, ModelManifest } from '../models/manifest-schema.js';
import { ModelFileError } from '../models/model-errors.js';
import { defaultManifestPath, readManifest } from '../models/model-files.js';
import { loadModel } from '../models/model-loader.js';
import { assessQuality, DEFAULT_QUALITY, type FaceQuality, type QualityThresholds } from '../quality/face-quality.js';

/**
 * The face pipeline: decode → detect → landmarks → align → quality → liveness → embed, with
 * compare/verify against the calibrated threshold. One instance per process (or per worker); all
 * methods may be called concurrently.
 */
export type PipelineStage = 'decode' | 'detect' | 'landmarks' | 'align' | 'quality' | 'liveness' | 'embed';

export interface FacePipelineOptions {
  /** 'onnx' (default: onnxruntime-node CPU), 'tfjs-wasm', or any InferenceBackend. */
  backend?: 'onnx' | 'tfjs-wasm' | InferenceBackend;
  /** Intra-op threads per model (default 1: one core per camera worker). */
  threads?: number;
  manifestPath?: string;
  /** Load and run the liveness model (default true). */
  liveness?: boolean;
  detector?: Partial<DetectorOptions>;
  quality?: Partial<QualityThresholds>;
  /** Override the manifest's calibrated cosine threshold (e.g. a site-specific calibration). */
  matchThreshold?: number;
  /** Decoded-pixel budget: larger encoded photos are scaled down to it on decode. Default 40 MP. */
  maxPixels?: number;
  /** Manifest model id per task, overriding the manifest's `use` (e.g. { embed: 'face-embedder-dlib' }). */
  models?: Partial<Record<ModelEntry['task'], string>>;
}

export interface AnalyzeOptions {
  /** Compute embeddings (default true). */
  embed?: boolean;
  /** Run liveness when the model is loaded (default true). */
  liveness?: boolean;
  /** Keep only the N most likely subjects, chosen among the largest 8 or more (default: all). */
  maxFaces?: number;
  /**
   * How hard to look when the first detector pass finds nothing: 'single' does not, 'fast' retries
   * on the padded frame (close-ups), 'thorough' (default) also tiles large photos for small faces.
   */
  search?: SearchDepth;
  /**
   * Receives each stage's wall time and the process CPU time spent meanwhile, in ms (for benchmarks
   * and metrics; CPU time is the stage's own cost when frames are analysed one at a time).
   */
  onStage?: (stage: PipelineStage, ms: number, cpuMs: number) => void;
}

export interface AnalyzedFace {
  box: Box;
  score: number;
  /** Share of face-geometry checks the landmarks pass (0–1; detect/subject-face.ts). */
  plausibility: number;
  /** Detector score × plausibility² × √(relative size): the order of `analyze`'s result. */
  subjectScore: number;
  /** Eye centres (subject's right, then left as seen in the image: left-most first), nose tip, mouth corners. */
  landmarks: Point[];
  landmarks68: Point[];
  /** Frame → aligned-chip transform (the 150 px dlib-framed chip used for quality and crops). */
  alignment: Affine;
  /** Frame → embedder-chip transform (absent when embeddings were not asked for). */
  embedAlignment?: Affine;
  quality: FaceQuality;
  /** Probability the face is real (not a print/screen); undefined when liveness is off. */
  liveness?: number;
  embedding?: Float32Array;
}

export type VerifyOutcome = 'match' | 'no-match' | 'no-face-reference' | 'no-face-live' | 'quality-rejected' | 'liveness-failed';

export interface VerifyResult {
  outcome: VerifyOutcome;
  similarity?: number;
  threshold: number;
  reference?: AnalyzedFace;
  live?: AnalyzedFace;
}

export type ImageInput = Uint8Array | RgbImage;

interface Loaded {
  manifest: ModelManifest;
  embedId: string;
  detector: FaceDetector;
  landmarker: FaceLandmarker;
  embedder: FaceEmbedder;
  liveness?: LivenessScorer;
  livenessThreshold: number;
  models: LoadedModel[];
  backend: InferenceBackend;
}

/** A stage clock: wall and process CPU time since start(). */
function stopwatch(report: (stage: PipelineStage, ms: number, cpuMs: number) => void) {
  let wall = 0;
  let cpu = process.cpuUsage();
  return {
    start(): void {
      wall = performance.now();
      cpu = process.cpuUsage();
    },
    stop(stage: PipelineStage): void {
      const used = process.cpuUsage(cpu);
      report(stage, performance.now() - wall, (used.user + used.system) / 1000);
    },
  };
}

/** The manifest entry serving a task: options.models, then CG_FACE_EMBEDDER (embed), then `use`, then the first. */
export function modelFor(
  manifest: ModelManifest,
  task: ModelEntry['task'],
  chosen?: Partial<Record<ModelEntry['task'], string>>,
): [string, ModelEntry] {
  const id = chosen?.[task] ?? (task === 'embed' ? process.env.CG_FACE_EMBEDDER || undefined : undefined) ?? manifest.use?.[task];
  if (id !== undefined) {
    const e = manifest.models[id];
    if (!e) throw new ModelFileError('manifest-invalid', `model manifest has no model "${id}" (chosen for ${task})`);
    if (e.task !== task) throw new ModelFileError('manifest-invalid', `model "${id}" is a ${e.task} model, not ${task}`);
    return [id, e];
  }
  const found = Object.entries(manifest.models).find(([, e]) => e.task === task);
  if (!found) throw new ModelFileError('manifest-invalid', `model manifest has no ${task} model`);
  return found;
}

const norm = (e: ModelEntry) => ({ mean: e.input.mean, std: e.input.std });

export class FacePipeline {
  readonly matchThreshold: number;
  readonly quality: QualityThresholds;
  /** Manifest id of the embedder: templates made by another model must be re-embedded. */
  readonly embedderId: string;
  /** The embedder's manifest entry (thresholds per use, licence, calibration). */
  readonly embedderEntry: ModelEntry;
  /** A site's own 1:1 threshold (FacePipelineOptions.matchThreshold), which has no REVIEW band of its own. */
  private readonly cardOverride: number | undefined;
  /** Chip for quality measures, thumbnails and audit crops (dlib framing, 150 px). */
  private readonly aligner = new FaceAligner(150, 'dlib-68');
  /** Chip the embedder was trained on. */
  private readonly embedAligner: FaceAligner;
  private readonly maxPixels: number;

  private constructor(
    private readonly loaded: Loaded,
    options: FacePipelineOptions,
    private readonly embedNorm: { mean: readonly [number, number, number]; std: readonly [number, number, number] },
  ) {
    const embedEntry = loaded.manifest.models[loaded.embedId];
    const t = options.matchThreshold ?? embedEntry.thresholds.cosine;
    if (typeof t !== 'number') throw new ModelFileError('manifest-invalid', 'embedder has no calibrated cosine threshold');
    this.matchThreshold = t;
    this.cardOverride = options.matchThreshold;
    this.embedderId = loaded.embedId;
    this.embedderEntry = embedEntry;
    this.quality = { ...DEFAULT_QUALITY, ...options.quality };
    this.embedAligner = new FaceAligner(
      typeof embedEntry.input.shape[2] === 'number' ? embedEntry.input.shape[2] : 150,
      embedEntry.input.alignment ?? 'dlib-68',
    );
    this.maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  }

  static async create(options: FacePipelineOptions = {}): Promise<FacePipeline> {
    const manifestPath = options.manifestPath ?? defaultManifestPath();
    const manifest = readManifest(manifestPath);
    const threads = options.threads ?? 1;
    const backend =
      typeof options.backend === 'object'
        ? options.backend
        : options.backend === 'tfjs-wasm'
          ? new TfjsWasmBackend({ threads })
          : new OnnxBackend({ threads });
    const models: LoadedModel[] = [];
    const load = async (task: ModelEntry['task']) => {
      const [id, e] = modelFor(manifest, task, options.models);
      const m = await loadModel(backend, e, id, manifestPath, { threads });
      models.push(m);
      return [m, e] as const;
    };
    try {
      const [detModel, detEntry] = await load('detect');
      const [lmModel, lmEntry] = await load('landmarks');
      const [embModel, embEntry] = await load('embed');
      const detector = new FaceDetector(detModel, norm(detEntry), {
        inputSize: detEntry.thresholds.inputSize ?? 416,
        largeFaceInputSize: detEntry.thresholds.largeFaceInputSize,
        scoreThreshold: detEntry.thresholds.score ?? 0.5,
        nmsIou: detEntry.thresholds.nmsIou ?? 0.4,
        ...options.detector,
      });
      let liveness: LivenessScorer | undefined;
      let livenessThreshold = 0.5;
      if (options.liveness !== false) {
        const [lvModel, lvEntry] = await load('liveness');
        const size = lvEntry.input.shape[1];
        // Converted graphs keep the TF.js NHWC input, so the crop layout is the manifest's.
        liveness = new LivenessScorer(lvModel, norm(lvEntry), typeof size === 'number' ? size : 128, lvEntry.input.layout);
        livenessThreshold = lvEntry.thresholds.real ?? 0.5;
      }
      const embedSize = embEntry.input.shape[2];
      const loaded: Loaded = {
        manifest,
        embedId: modelFor(manifest, 'embed', options.models)[0],
        detector,
        landmarker: new FaceLandmarker(lmModel, norm(lmEntry)),
        embedder: new FaceEmbedder(embModel, typeof embedSize === 'number' ? embedSize : 150, embEntry.input.shape[0] === 1 ? 1 : Infinity),
        liveness,
        livenessThreshold,
        models,
        backend,
      };
      return new FacePipeline(loaded, options, norm(embEntry));
    } catch (err) {
      await Promise.all(models.map((m) => m.dispose()));
      throw err;
    }
  }

  /** Accept threshold and REVIEW floor for a use (1:1 card, 1:N alert, allowlist admit). */
  thresholdsFor(use: FaceUse): UseThreshold {
    return useThreshold(this.embedderEntry, use, use === 'card' ? this.cardOverride : undefined);
  }

  get backendName(): string {
    return this.loaded.backend.name;
  }

  /** onnxruntime's graph optimisation level per loaded model id (e.g. the one 'auto' chose). */
  get optimizations(): Record<string, string | undefined> {
    return Object.fromEntries(this.loaded.models.map((m) => [m.id, m.optimization]));
  }

  get detectorInputSize(): number {
    return this.loaded.detector.options.inputSize;
  }

  /** The detector's cheaper first pass for large faces (0 / undefined: none). */
  get largeFaceInputSize(): number | undefined {
    return this.loaded.detector.options.largeFaceInputSize;
  }

  get livenessThreshold(): number {
    return this.loaded.livenessThreshold;
  }

  /** Encoded bytes (JPEG/PNG/WebP/JPEG 2000) or a raw RGB frame → RGB pixels. */
  async decode(input: ImageInput): Promise<RgbImage> {
    if (input instanceof Uint8Array) return decodeImage(input, { maxPixels: this.maxPixels });
    assertRgbImage(input, this.maxPixels);
    return input;
  }

  /** Every face in the image, the likeliest subject first (confidence × landmark plausibility × size); [] when there is none. */
  async analyze(input: ImageInput, options: AnalyzeOptions = {}): Promise<AnalyzedFace[]> {
    const clock = stopwatch(options.onStage ?? (() => undefined));
    clock.start();
    const img = await this.decode(input);
    clock.stop('decode');

    clock.start();
    let detections = await searchFaces(this.loaded.detector, img, options.search ?? 'thorough');
    detections.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    // Landmarks for the largest few candidates, then the subject by confidence × plausibility × size.
    if (options.maxFaces !== undefined) detections = detections.slice(0, Math.max(options.maxFaces, MAX_CANDIDATES));
    clock.stop('detect');
    if (detections.length === 0) return [];

    clock.start();
    const allLandmarks = await this.loaded.landmarker.landmarks(
      img,
      detections.map((d) => d.box),
    );
    let ranked = rankSubjects(detections.map((d, i) => ({ ...d, landmarks68: allLandmarks[i] })));
    if (options.maxFaces !== undefined) ranked = ranked.slice(0, options.maxFaces);
    detections = ranked.map((r) => r.candidate);
    const landmarks = ranked.map((r) => r.candidate.landmarks68 as Point[]);
    const boxes = detections.map((d) => d.box);
    clock.stop('landmarks');

    clock.start();
    const transforms = landmarks.map((l) => this.aligner.transform(l));
    const chipImages = transforms.map((m) => this.aligner.chip(img, m));
    const embedTransforms = options.embed === false ? [] : landmarks.map((l) => this.embedAligner.transform(l));
    clock.stop('align');

    clock.start();
    const qualities = transforms.map((_, i) => assessQuality(landmarks[i], boxes[i], chipImages[i], this.quality));
    clock.stop('quality');

    let live: number[] | undefined;
    if (this.loaded.liveness && options.liveness !== false) {
      clock.start();
      live = await this.loaded.liveness.score(img, boxes);
      clock.stop('liveness');
    }

    let embeddings: Float32Array[] | undefined;
    if (options.embed !== false) {
      clock.start();
      const per = 3 * this.embedAligner.size * this.embedAligner.size;
      const chips = new Float32Array(detections.length * per);
      embedTransforms.forEach((m, i) => chipToPlanar(this.embedAligner.chip(img, m), this.embedNorm, chips, i * per));
      embeddings = await this.loaded.embedder.embedChips(chips, detections.length);
      clock.stop('embed');
    }

    return detections.map((d, i) => ({
      box: d.box,
      score: d.score,
      plausibility: ranked[i].plausibility,
      subjectScore: ranked[i].subjectScore,
      landmarks: fivePointsFrom68(landmarks[i]),
      landmarks68: landmarks[i],
      alignment: transforms[i],
      embedAlignment: embedTransforms[i],
      quality: qualities[i],
      liveness: live?.[i],
      embedding: embeddings?.[i],
    }));
  }

  /** Embedding of the largest face, or undefined when the image has no face. */
  async embed(input: ImageInput): Promise<Float32Array | undefined> {
    const [face] = await this.analyze(input, { maxFaces: 1, liveness: false });
    return face?.embedding;
  }

  /**
   * Embeddings of many images (each image's largest face; undefined where there is none), with the
   * recogniser run in batches of `batchSize` — the hub's watchlist enrolment path.
   */
  async embedMany(inputs: readonly ImageInput[], batchSize = 16): Promise<(Float32Array | undefined)[]> {
    const chips: (RgbImage | undefined)[] = [];
    for (const input of inputs) {
      const img = await this.decode(input);
      const [face] = await this.analyze(img, { maxFaces: 1, liveness: false, embed: false });
      chips.push(face ? this.embedAligner.chip(img, this.embedAligner.transform(face.landmarks68)) : undefined);
    }
    const out: (Float32Array | undefined)[] = new Array(inputs.length).fill(undefined);
    const present = chips.flatMap((c, i) => (c ? [i] : []));
    const per = 3 * this.embedAligner.size * this.embedAligner.size;
    for (let start = 0; start < present.length; start += batchSize) {
      const idx = present.slice(start, start + batchSize);
      const tensor = new Float32Array(idx.length * per);
      idx.forEach((i, k) => chipToPlanar(chips[i]!, this.embedNorm, tensor, k * per));
      const embeddings = await this.loaded.embedder.embedChips(tensor, idx.length);
      idx.forEach((i, k) => (out[i] = embeddings[k]));
    }
    return out;
  }

  /** The aligned chip (RGB) of a face, e.g. for an audit crop or the watchlist thumbnail. */
  async alignedChip(input: ImageInput, face: AnalyzedFace): Promise<RgbImage> {
    return this.aligner.chip(await this.decode(input), face.alignment);
  }

  compare(a: Float32Array, b: Float32Array): number {
    return cosineSimilarity(a, b);
  }

  decide(a: Float32Array, b: Float32Array): MatchDecision {
    return decideMatch(a, b, this.matchThreshold);
  }

  /**
   * 1:1 verification: the chip photo (DG2, JPEG or JPEG 2000) against a live frame. The largest face
   * of each is used; the live face must pass quality and (when loaded) liveness.
   */
  async verify(reference: ImageInput, liveFrame: ImageInput): Promise<VerifyResult> {
    const threshold = this.matchThreshold;
    const [[ref], [live]] = await Promise.all([
      this.analyze(reference, { maxFaces: 1, liveness: false }),
      this.analyze(liveFrame, { maxFaces: 1 }),
    ]);
    if (!ref) return { outcome: 'no-face-reference', threshold, live };
    if (!live) return { outcome: 'no-face-live', threshold, reference: ref };
    const similarity = cosineSimilarity(ref.embedding!, live.embedding!);
    const base = { similarity, threshold, reference: ref, live };
    if (!live.quality.ok) return { outcome: 'quality-rejected', ...base };
    if (live.liveness !== undefined && live.liveness < this.loaded.livenessThreshold) return { outcome: 'liveness-failed', ...base };
    return { outcome: similarity >= threshold ? 'match' : 'no-match', ...base };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.loaded.models.map((m) => m.dispose()));
  }
}
