import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { idNumberHmac } from '../../../../libs/watchlist-match/src/index.js';
import type { KeyRing } from './key-ring.js';

/** Thrown when a ciphertext was altered, moved to another row, or its key is gone. */
export class CiphertextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CiphertextError';
  }
}

const PREFIX = 'g1';

/**
 * AES-256-GCM for personal data at rest. A ciphertext is `g1:<keyId>:<base64(iv ‖ tag ‖ data)>`, so
 * rotation knows which key each row needs. The associated data binds it to its place (table, column,
 * row id): a ciphertext copied into another row fails authentication like a tampered one.
 */
export class DataCipher {
  private lastReload = 0;

  constructor(private ring: KeyRing) {}

  get keyRing(): KeyRing {
    return this.ring;
  }

  /** After rotation: encrypt with the new current key from now on. */
  useKeyRing(ring: KeyRing): void {
    this.ring = ring;
  }

  encrypt(plain: Uint8Array | string, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.ring.current, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const data = Buffer.concat([c.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), c.final()]);
    return `${PREFIX}:${this.ring.currentId}:${Buffer.concat([iv, c.getAuthTag(), data]).toString('base64')}`;
  }

  decrypt(token: string, aad: string): Buffer {
    const [prefix, kid, body] = token.split(':');
    if (prefix !== PREFIX || !kid || !body) throw new CiphertextError('not a ciphertext of this hub');
    const key = this.ring.key(kid) ?? this.reloadFor(kid);
    if (!key) throw new CiphertextError(`data key ${kid} is not in the key ring`);
    const raw = Buffer.from(body, 'base64');
    if (raw.length < 28) throw new CiphertextError('ciphertext is truncated');
    const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]);
    } catch {
      throw new CiphertextError('ciphertext failed authentication (tampered, moved or wrong key)');
    }
  }

  /**
   * A key id this ring lacks may have been added by `hub:rotate-key` while the hub runs: re-read the
   * key file (at most every few seconds) and, if it is there now, use the new ring (and its current key).
   */
  private reloadFor(kid: string): Buffer | undefined {
    if (!this.ring.file || Date.now() - this.lastReload < 5_000) return undefined;
    this.lastReload = Date.now();
    try {
      const fresh = this.ring.reloaded();
      if (fresh.key(kid)) this.ring = fresh;
    } catch {
      // An unreadable key file leaves the ring as it was; the caller reports the missing key.
    }
    return this.ring.key(kid);
  }

  decryptString(token: string, aad: string): string {
    return this.decrypt(token, aad).toString('utf8');
  }

  isCiphertext(value: string): boolean {
    return value.startsWith(`${PREFIX}:`);
  }

  /** True when the value is clear text or under an older key (what rotation re-encrypts). */
  needsReencryption(value: string): boolean {
    return !value.startsWith(`${PREFIX}:${this.ring.currentId}:`);
  }

  idHmac(idNumber: string): string {
    return idNumberHmac(this.ring.idHmacKey, idNumber);
  }
}
