import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import yauzl from 'yauzl';

/** Photos of a bulk import, by file name: a folder, or a zip read entry by entry (yauzl). */
export interface PhotoSource {
  get(name: string): Buffer | undefined;
  close(): void;
}

const MAX_PHOTO = 10 * 1024 * 1024;

export async function openPhotoSource(path: string): Promise<PhotoSource> {
  if (statSync(path).isDirectory()) {
    const root = realpathSync(resolve(path));
    return {
      get(name) {
        try {
          // Where the name really leads, symbolic links followed: never out of the folder (no ../, no
          // link to /etc/…).
          const p = realpathSync(resolve(join(root, name)));
          if (!p.startsWith(root + '/')) return undefined;
          return statSync(p).size <= MAX_PHOTO ? readFileSync(p) : undefined;
        } catch {
          return undefined;
        }
      },
      close: () => undefined,
    };
  }
  const files = new Map<string, Buffer>();
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  await new Promise<void>((done, fail) => {
    zip.on('error', fail);
    zip.on('end', () => done());
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/') || entry.uncompressedSize > MAX_PHOTO) return zip.readEntry();
      zip.openReadStreamPromise(entry).then(async (stream) => {
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        const data = Buffer.concat(chunks);
        // Keyed by full path and by base name, so the CSV may name either.
        files.set(entry.fileName, data);
        if (!files.has(basename(entry.fileName))) files.set(basename(entry.fileName), data);
        zip.readEntry();
      }, fail);
    });
    zip.readEntry();
  });
  zip.close();
  return { get: (name) => files.get(name), close: () => files.clear() };
}
