import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import sharp from 'sharp';
import type { EnrolmentPhotoResult } from '../../../../libs/contracts/src/index.js';
import {
  defaultManifestPath,
  FacePipeline,
  ImageInputError,
  modelFor,
  readManifest,
  severalFaces,
  useThreshold,
} from '../../../../libs/face/src/index.js';
import type { NewTemplate } from './watchlist.repository.js';

export interface EnrolmentOutcome {
  results: EnrolmentPhotoResult[];
  templates: NewTemplate[];
}

/**
 * Enrolment photos → templates through libs/face. One person per photo: a photo with no face, with
 * two or more faces, or whose face fails the quality gate is refused with the reason. The pipeline
 * (a few seconds to load) is created on first use, so a hub that never enrols never loads it.
 */
@Injectable()
export class FaceEnrolment implements OnApplicationShutdown {
  private readonly log = new Logger('Enrolment');
  private pipeline: Promise<FacePipeline> | null = null;
  /** Manifest id of the embedder (stored with each template; another id means "re-embed"). */
  readonly faceModel: string;
  /** The embedder's calibrated 1:N wanted-person alert threshold. */
  readonly threshold: number;
  /** Photo search lists candidates from the alert REVIEW floor up (possible matches included). */
  readonly searchThreshold: number;

  constructor() {
    const [id, entry] = modelFor(readManifest(defaultManifestPath()), 'embed');
    this.faceModel = id;
    const alert = useThreshold(entry, 'alert');
    this.threshold = alert.accept;
    this.searchThreshold = alert.review;
  }

  private faces(): Promise<FacePipeline> {
    this.pipeline ??= FacePipeline.create({ liveness: false }).then((p) => {
      this.log.log(`face pipeline loaded (${p.backendName})`);
      return p;
    });
    return this.pipeline;
  }

  async enrol(photos: readonly Uint8Array[]): Promise<EnrolmentOutcome> {
    const faces = await this.faces();
    const results: EnrolmentPhotoResult[] = [];
    const templates: NewTemplate[] = [];
    for (let index = 0; index < photos.length; index++) {
      const photo = photos[index]!;
      let found;
      try {
        found = await faces.analyze(photo, { liveness: false });
      } catch (e) {
        if (e instanceof ImageInputError) {
          results.push({ index, accepted: false, refusal: 'image', reason: `not a usable image (${e.code}): ${e.message}` });
          continue;
        }
        throw e;
      }
      if (found.length === 0) {
        results.push({ index, accepted: false, refusal: 'no-face', reason: 'no face found in the photo' });
        continue;
      }
      // A second plausible face of similar size: whose photo is it? A small face in the background is not.
      if (severalFaces(found)) {
        results.push({
          index,
          accepted: false,
          refusal: 'multiple-faces',
          reason: `${found.length} faces in the photo: enrol one person per photo (two are of similar size)`,
        });
        continue;
      }
      const face = found[0]!;
      if (!face.quality.ok) {
        results.push({ index, accepted: false, refusal: 'quality', reason: `face quality too low: ${face.quality.reasons.join(', ')}` });
        continue;
      }
      const chip = await faces.alignedChip(photo, face);
      const crop = await sharp(Buffer.from(chip.data), { raw: { width: chip.width, height: chip.height, channels: 3 } })
        .jpeg({ quality: 85 })
        .toBuffer();
      templates.push({ vector: face.embedding!, faceModel: this.faceModel, crop });
      results.push({ index, accepted: true });
    }
    return { results, templates };
  }

  /** Embedding of a stored aligned crop (re-embedding after a model change). */
  async embedCrop(jpeg: Uint8Array): Promise<Float32Array | undefined> {
    return (await this.faces()).embed(jpeg);
  }

  /** An embedding of the largest face (1:N search from a probe photo). */
  async probe(photo: Uint8Array): Promise<Float32Array | undefined> {
    return (await this.faces()).embed(photo);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pipeline) await (await this.pipeline).dispose();
  }
}
