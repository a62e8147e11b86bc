import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface StoredMedia {
  /** Opaque reference, resolved by the edge's media store (never the image itself). */
  ref: string;
  /** SHA-256 of the clear image (what the event's attachment names). */
  sha256: string;
}

/** Where best-shot face crops go. */
export interface MediaStore {
  save(kind: 'face_crop', name: string, jpeg: Uint8Array): Promise<StoredMedia>;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const REF = /^media:(face_crop)\/([A-Za-z0-9_.-]{1,200})\.jpg$/;

/**
 * Face crops encrypted at rest: `<dir>/<kind>/<name>.jpg.enc` holds version | IV | AES-256-GCM
 * ciphertext | tag, with the reference as associated data, so a file renamed to another event's name
 * or altered fails authentication. `purge` deletes crops older than the retention.
 */
export class EncryptedMediaStore implements MediaStore {
  constructor(
    private readonly dir: string,
    private readonly key: Buffer,
  ) {
    if (key.length !== 32) throw new Error('the media key must be 32 bytes (AES-256)');
  }

  private path(ref: string): string {
    const m = REF.exec(ref);
    if (!m) throw new Error(`not a media reference: ${ref.slice(0, 80)}`);
    return join(this.dir, m[1]!, `${m[2]}.jpg.enc`);
  }

  async save(kind: 'face_crop', name: string, jpeg: Uint8Array): Promise<StoredMedia> {
    const ref = `media:${kind}/${name}.jpg`;
    const file = this.path(ref);
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(ref));
    const body = Buffer.concat([Buffer.from([VERSION]), iv, c.update(jpeg), c.final(), c.getAuthTag()]);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    // Written whole, then renamed: a crash never leaves half a file.
    await writeFile(`${file}.tmp`, body, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    return { ref, sha256: createHash('sha256').update(jpeg).digest('hex') };
  }

  /** The clear JPEG of a reference; throws when it is missing, altered or under another key. */
  async read(ref: string): Promise<Buffer> {
    const body = await readFile(this.path(ref));
    if (body[0] !== VERSION || body.length < 1 + IV_BYTES + TAG_BYTES) throw new Error('not an encrypted crop');
    const d = createDecipheriv('aes-256-gcm', this.key, body.subarray(1, 1 + IV_BYTES));
    d.setAAD(Buffer.from(ref));
    d.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([d.update(body.subarray(1 + IV_BYTES, body.length - TAG_BYTES)), d.final()]);
  }

  /** Deletes one crop (a person-erase); false when it was already gone. */
  async remove(ref: string): Promise<boolean> {
    try {
      await unlink(this.path(ref));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  /** Deletes crops written before `before` (ms since the epoch); returns how many. */
  async purge(before: number): Promise<number> {
    let n = 0;
    for (const kind of ['face_crop']) {
      const dir = join(this.dir, kind);
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const file = join(dir, name);
        const s = await stat(file).catch(() => null);
        if (s && s.mtimeMs < before) {
          await unlink(file).catch(() => undefined);
          n++;
        }
      }
    }
    return n;
  }
}

/** Where the edge keeps its face crops: CG_MEDIA_DIR, default `./data/media`. */
export const mediaDirOf = (env: NodeJS.ProcessEnv = process.env): string => env.CG_MEDIA_DIR ?? './data/media';

/**
 * The media key: env CG_MEDIA_KEY (base64 of 32 bytes), or the key file CG_MEDIA_KEY_FILE (default
 * `<data>/media.key`), created with a fresh key (mode 0600) at first start. A key file others can read
 * is refused.
 */
export function loadMediaKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.CG_MEDIA_KEY?.trim();
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new Error('CG_MEDIA_KEY must be base64 of 32 bytes');
    return key;
  }
  const file = env.CG_MEDIA_KEY_FILE ?? join(dataDir, 'media.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new Error(`media key file ${file} is readable by other users (mode ${mode.toString(8)}): chmod 600 it`);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`media key file ${file} must hold base64 of 32 bytes`);
  return key;
}
