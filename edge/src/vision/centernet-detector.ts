import type { RgbFrame } from '../camera/frame.js';
import type { InferenceBackend, LoadedModel, TfjsGraphArtifacts } from '../../../libs/face/src/inference/inference-backend.js';
import { nonMaxSuppression, type Box } from './geometry.js';
import type { PersonDetection, PersonDetector } from './person-detector.js';
import { resizeRgbInto } from './resize.js';
import { readTfjsGraph } from '../../../libs/face/src/inference/tfjs-graph-file.js';
import { tfjsGraphToOnnx } from './tfjs-to-onnx.js';

export interface CenterNetOptions {
  /** model.json of the CenterNet MobileNetV3 graph (COCO; shipped by @vladmandic/human). */
  modelPath: string;
  /**
   * Model input, each a multiple of 32. The whole frame is resized into it (aspect kept within a few
   * per cent by choosing a size of the camera's shape, e.g. 640×384 for 16:9). The graph has no fixed
   * size of its own: its three upsampling sizes are rewritten for the size asked for.
   */
  inputWidth?: number;
  inputHeight?: number;
  /** Heat-map peak a person needs (0..1). */
  minScore?: number;
  /** Boxes overlapping more than this are one person (CenterNet peaks rarely need it). */
  nmsIou?: number;
}

/** The three bilinear upsampling steps of the CenterNet head: their output size as a divisor of the input. */
const UPSAMPLE_DIVISORS: Record<string, number> = {
  'c5_upsample/up_sampling2d/mul': 16,
  'c4_upsample/up_sampling2d_1/mul': 8,
  'c3_upsample/up_sampling2d_2/mul': 4,
};
const INPUT = 'tower_0/images';
const HEATMAP = 'tower_0/keypoints';
const SIZES = 'tower_0/wh';
const PERSON_HEATMAP = 'person_heatmap';
const BYTES: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint16: 2, uint8: 1 };

/**
 * Rewrites the CenterNet graph for an input of `w`×`h`: the placeholder's shape, the upsampling sizes
 * (constants in the shipped graph, made for 512×512), and one added output that slices the person
 * channel out of the 80-class heat map, so a frame copies one channel instead of eighty. The
 * detection post-processing of the graph (top 100 by score) is not run: peaks are decoded here, with
 * no cap on how many people a frame holds.
 */
export function adaptCenterNetGraph(g: TfjsGraphArtifacts, w: number, h: number): TfjsGraphArtifacts {
  const src = new Uint8Array(g.weightData);
  let offset = 0;
  const found = new Set<string>();
  const data = new Uint8Array(src.length + 16);
  data.set(src);
  const view = new DataView(data.buffer);
  for (const s of g.weightSpecs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const bytes = BYTES[s.quantization?.dtype ?? s.dtype];
    if (!bytes) throw new Error(`CenterNet graph: weight ${s.name} has unknown dtype`);
    for (const [suffix, div] of Object.entries(UPSAMPLE_DIVISORS)) {
      if (!s.name.endsWith(suffix)) continue;
      if (s.dtype !== 'int32' || n !== 2 || s.quantization) throw new Error(`CenterNet graph: ${s.name} is not an int32 pair`);
      view.setInt32(offset, h / div, true);
      view.setInt32(offset + 4, w / div, true);
      found.add(suffix);
    }
    offset += n * bytes;
  }
  if (offset !== src.length) throw new Error(`CenterNet graph: weights hold ${src.length} bytes, the manifest ${offset}`);
  if (found.size !== Object.keys(UPSAMPLE_DIVISORS).length) throw new Error('CenterNet graph: upsampling sizes not found (another graph?)');
  // Slice begin [0,0,0,0] and size [-1,-1,-1,1] appended as int32 weights.
  view.setInt32(offset + 0, 0, true);
  view.setInt32(offset + 4, 0, true);
  view.setInt32(offset + 8, 0, true);
  view.setInt32(offset + 12, 0, true);
  const size = new Uint8Array(16);
  const sv = new DataView(size.buffer);
  [-1, -1, -1, 1].forEach((v, i) => sv.setInt32(i * 4, v, true));
  const weightData = new Uint8Array(data.length + 16);
  weightData.set(data);
  weightData.set(size, data.length);
  const nodes = g.modelTopology.node.map((n) =>
    n.op === 'Placeholder' && n.name === INPUT
      ? { ...n, attr: { ...n.attr, shape: { shape: { dim: [{ size: '1' }, { size: String(h) }, { size: String(w) }, { size: '3' }] } } } }
      : n,
  );
  if (!nodes.some((n) => n.name === HEATMAP) || !nodes.some((n) => n.name === SIZES)) throw new Error('CenterNet graph: outputs not found');
  const int32Const = (name: string) => ({
    name,
    op: 'Const',
    attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '4' }] } } }, dtype: { type: 'DT_INT32' } },
  });
  nodes.push(int32Const('person_heatmap/begin'), int32Const('person_heatmap/size'), {
    name: PERSON_HEATMAP,
    op: 'Slice',
    input: [HEATMAP, 'person_heatmap/begin', 'person_heatmap/size'],
    attr: { T: { type: 'DT_FLOAT' }, Index: { type: 'DT_INT32' } },
  });
  const tensor = (name: string, dims: number[]) => ({
    name,
    dtype: 'DT_FLOAT',
    tensorShape: { dim: dims.map((d) => ({ size: String(d) })) },
  });
  return {
    ...g,
    modelTopology: { ...g.modelTopology, node: nodes },
    weightSpecs: [
      ...g.weightSpecs,
      { name: 'person_heatmap/begin', shape: [4], dtype: 'int32' },
      { name: 'person_heatmap/size', shape: [4], dtype: 'int32' },
    ],
    weightData: weightData.buffer,
    signature: {
      inputs: { [INPUT]: tensor(INPUT, [1, h, w, 3]) },
      outputs: { [PERSON_HEATMAP]: tensor(PERSON_HEATMAP, [1, h / 4, w / 4, 1]), [SIZES]: tensor(SIZES, [1, h / 4, w / 4, 4]) },
    },
  };
}

/** The CenterNet graph as ONNX: its person heat map and box sizes, both laid out as TF.js gives them. */
export function centerNetOnnx(g: TfjsGraphArtifacts): Uint8Array {
  return tfjsGraphToOnnx(g, {
    outputs: [
      { tensor: HEATMAP, name: PERSON_HEATMAP, slice: { channel: 0 }, nhwc: true },
      { tensor: SIZES, name: SIZES, nhwc: true },
    ],
  });
}

/**
 * CenterNet (MobileNetV3 backbone, COCO; Apache-2.0, shipped in @vladmandic/human): a heat map of
 * person centres at a quarter of the input resolution and each centre's distances to the box sides.
 * Every local maximum above `minScore` is a person — no per-frame cap — and the stride of 4 input
 * pixels finds people down to about 12 input pixels tall (≈ 25–30 px in a 720p frame at 640×384).
 */
export class CenterNetDetector implements PersonDetector {
  readonly modelId = 'person-centernet';
  private readonly buffer: Float32Array;

  private constructor(
    private readonly model: LoadedModel,
    private readonly inputW: number,
    private readonly inputH: number,
    private readonly minScore: number,
    private readonly nmsIou: number,
  ) {
    this.buffer = new Float32Array(inputW * inputH * 3);
  }

  /**
   * On a backend that runs TF.js graphs (TF.js wasm) the graph runs as shipped, resized; on one that
   * runs ONNX only (onnxruntime, 2–3× faster on x86 CPUs) it is converted in memory first.
   */
  static async create(backend: InferenceBackend, options: CenterNetOptions): Promise<CenterNetDetector> {
    const w = options.inputWidth ?? 640;
    const h = options.inputHeight ?? 384;
    if (w % 32 !== 0 || h % 32 !== 0 || w < 64 || h < 64) throw new Error(`CenterNet input must be multiples of 32 (≥ 64), got ${w}x${h}`);
    const model = backend.formats?.includes('tfjs-graph')
      ? await backend.load(
          { id: 'person-centernet', path: options.modelPath, format: 'tfjs-graph', adaptTfjsGraph: (g) => adaptCenterNetGraph(g, w, h) },
          { threads: 1 },
        )
      : await backend.load(
          { id: 'person-centernet', path: options.modelPath, format: 'onnx', bytes: centerNetOnnx(await readTfjsGraph(options.modelPath)) },
          { threads: 1 },
        );
    return new CenterNetDetector(model, w, h, options.minScore ?? 0.25, options.nmsIou ?? 0.6);
  }

  async detect(frame: RgbFrame): Promise<PersonDetection[]> {
    resizeRgbInto(frame, this.inputW, this.inputH, this.buffer);
    const out = await this.model.run({
      [this.model.inputNames[0]!]: { type: 'float32', dims: [1, this.inputH, this.inputW, 3], data: this.buffer },
    });
    const heat = out[PERSON_HEATMAP]!;
    const sizes = out[SIZES]!;
    return decodeCenterNet(heat.data as Float32Array, sizes.data as Float32Array, heat.dims[2]!, heat.dims[1]!, {
      sx: frame.width / this.inputW,
      sy: frame.height / this.inputH,
      stride: this.inputW / heat.dims[2]!,
      frameW: frame.width,
      frameH: frame.height,
      minScore: this.minScore,
      nmsIou: this.nmsIou,
    });
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

export interface CenterNetDecode {
  /** Frame pixels per input pixel, horizontally and vertically. */
  sx: number;
  sy: number;
  /** Input pixels per heat-map cell. */
  stride: number;
  frameW: number;
  frameH: number;
  minScore: number;
  nmsIou: number;
}

/**
 * Heat-map peaks (a cell at least as high as its 8 neighbours, above `minScore`) to boxes: each
 * cell's four distances (left, top, right, bottom, in input pixels) around the cell centre.
 */
export function decodeCenterNet(heat: Float32Array, wh: Float32Array, gw: number, gh: number, o: CenterNetDecode): PersonDetection[] {
  const boxes: Box[] = [];
  const scores: number[] = [];
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      const v = heat[y * gw + x]!;
      if (v < o.minScore) continue;
      let peak = true;
      for (let dy = -1; dy <= 1 && peak; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= gh) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= gw || (dx === 0 && dy === 0)) continue;
          const n = heat[yy * gw + xx]!;
          // Ties go to the first cell in scan order, so a flat top gives one peak.
          if (n > v || (n === v && (dy < 0 || (dy === 0 && dx < 0)))) {
            peak = false;
            break;
          }
        }
      }
      if (!peak) continue;
      const k = (y * gw + x) * 4;
      const cx = x * o.stride;
      const cy = y * o.stride;
      const box: Box = {
        x1: clamp((cx - wh[k]!) * o.sx, 0, o.frameW),
        y1: clamp((cy - wh[k + 1]!) * o.sy, 0, o.frameH),
        x2: clamp((cx + wh[k + 2]!) * o.sx, 0, o.frameW),
        y2: clamp((cy + wh[k + 3]!) * o.sy, 0, o.frameH),
      };
      if (box.x2 - box.x1 < 2 || box.y2 - box.y1 < 2) continue;
      boxes.push(box);
      scores.push(v);
    }
  }
  return nonMaxSuppression(boxes, scores, o.nmsIou).map((i) => ({ box: boxes[i]!, score: scores[i]! }));
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
