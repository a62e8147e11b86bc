// ICAO 9303-11 §9.7.1 key derivation: KDF(K, c) = H(K || c) truncated to the key length.
import { createHash } from 'node:crypto';
import { concat } from '../tlv/ber-tlv.js';
import { adjustParity } from './des.js';

export const KDF_ENC = 1;
export const KDF_MAC = 2;
export const KDF_PI = 3;

export type CipherKind = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';

export function kdf(secret: Uint8Array, counter: number, cipher: CipherKind): Uint8Array {
  const c = Uint8Array.of(0, 0, 0, counter);
  const hashName = cipher === 'AES-192' || cipher === 'AES-256' ? 'sha256' : 'sha1';
  const digest = new Uint8Array(createHash(hashName).update(concat(secret, c)).digest());
  switch (cipher) {
    case '3DES':
      return adjustParity(digest.subarray(0, 16));
    case 'AES-128':
      return digest.subarray(0, 16);
    case 'AES-192':
      return digest.subarray(0, 24);
    case 'AES-256':
      return digest.subarray(0, 32);
  }
}
