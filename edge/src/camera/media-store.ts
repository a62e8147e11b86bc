import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredMedia {
  /** Opaque reference, resolved by the edge's media store (never the image itself). */
  ref: string;
  sha256: string;
}

/** Where best-shot face crops go. The edge's media store (encrypted at rest) implements this. */
export interface MediaStore {
  save(kind: 'face_crop', name: string, jpeg: Uint8Array): Promise<StoredMedia>;
}

/** Plain directory store for demos and tests: `<dir>/<kind>/<name>.jpg`, ref `media:<kind>/<name>.jpg`. */
export class DirectoryMediaStore implements MediaStore {
  constructor(private readonly dir: string) {}

  async save(kind: 'face_crop', name: string, jpeg: Uint8Array): Promise<StoredMedia> {
    const rel = `${kind}/${name}.jpg`;
    await mkdir(join(this.dir, kind), { recursive: true });
    await writeFile(join(this.dir, rel), jpeg);
    return { ref: `media:${rel}`, sha256: createHash('sha256').update(jpeg).digest('hex') };
  }
}
