import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const b64Key = z.string().refine((s) => Buffer.from(s, 'base64').length === 32, 'a key is base64 of 32 bytes');
const KeyFileSchema = z.object({
  current: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/),
  dataKeys: z.record(z.string(), b64Key),
  idHmacKey: b64Key,
});
type KeyFile = z.infer<typeof KeyFileSchema>;

export interface KeyRingSource {
  dataKeys?: string;
  dataKeyFile: string;
  idHmacKey?: string;
}

/**
 * The hub's personal-data keys: AES-256-GCM data keys by id (one current, older ones kept to decrypt
 * until `hub:rotate-key` has re-encrypted everything) and the CCCD-number HMAC key. From env
 * (HUB_DATA_KEY, HUB_ID_HMAC_KEY) or a key file that is created (mode 0600) with fresh keys at first
 * start — there is no built-in key.
 */
export class KeyRing {
  private constructor(
    readonly currentId: string,
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly idHmacKey: Buffer,
    /** Set when the keys live in a file this ring may rewrite (rotation). */
    readonly file: string | null,
  ) {}

  static load(src: KeyRingSource): KeyRing {
    let file: KeyFile | null = null;
    if (existsSync(src.dataKeyFile)) {
      const r = KeyFileSchema.safeParse(JSON.parse(readFileSync(src.dataKeyFile, 'utf8')));
      if (!r.success) throw new Error(`data key file ${src.dataKeyFile} is invalid: ${r.error.issues[0]?.message}`);
      file = r.data;
    }
    if (src.dataKeys) {
      const pairs = src.dataKeys.split(',').map((p) => p.split(':') as [string, string]);
      const keys = new Map(pairs.map(([id, k]) => [id, Buffer.from(k, 'base64')]));
      for (const [id, k] of keys) if (k.length !== 32) throw new Error(`HUB_DATA_KEY ${id} is not 32 bytes`);
      const hmac = src.idHmacKey ?? file?.idHmacKey ?? KeyRing.createFile(src.dataKeyFile).idHmacKey;
      return new KeyRing(pairs[0]![0], keys, Buffer.from(hmac, 'base64'), null);
    }
    file ??= KeyRing.createFile(src.dataKeyFile);
    const keys = new Map(Object.entries(file.dataKeys).map(([id, k]) => [id, Buffer.from(k, 'base64')]));
    if (!keys.has(file.current)) throw new Error(`data key file ${src.dataKeyFile}: current key ${file.current} is missing`);
    return new KeyRing(file.current, keys, Buffer.from(src.idHmacKey ?? file.idHmacKey, 'base64'), src.dataKeyFile);
  }

  private static createFile(path: string): KeyFile {
    const file: KeyFile = {
      current: 'k1',
      dataKeys: { k1: randomBytes(32).toString('base64') },
      idHmacKey: randomBytes(32).toString('base64'),
    };
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(file, null, 2), { mode: 0o600, flag: 'wx' });
    return file;
  }

  key(id: string): Buffer | undefined {
    return this.keys.get(id);
  }

  get current(): Buffer {
    return this.keys.get(this.currentId)!;
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  /** The key file as it is now (keeps this ring's HMAC key, which may come from env). */
  reloaded(): KeyRing {
    if (!this.file) return this;
    return KeyRing.load({ dataKeyFile: this.file, idHmacKey: this.idHmacKey.toString('base64') });
  }

  /** Adds a fresh key to the key file and makes it current; returns the new ring. */
  rotated(): KeyRing {
    if (!this.file) throw new Error('keys come from HUB_DATA_KEY: put a new kid:key first in it and run hub:rotate-key -- --reencrypt');
    const file = KeyFileSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    let n = Object.keys(file.dataKeys).length + 1;
    while (file.dataKeys[`k${n}`]) n++;
    const id = `k${n}`;
    file.dataKeys[id] = randomBytes(32).toString('base64');
    file.current = id;
    // Write-then-rename: a running hub re-reading the file never sees half of it.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(file, null, 2), { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
    return this.reloaded();
  }
}
