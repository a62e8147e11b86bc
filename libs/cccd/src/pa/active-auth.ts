// Active Authentication (ICAO 9303-11 §6.1): the chip signs our random challenge with the private key
// whose public half is in DG15, proving the chip was not cloned. ECDSA (plain r||s, hash from DG14's
// ActiveAuthenticationInfo) and RSA with ISO/IEC 9796-2 digital signature scheme 1.
import { constants, createHash, publicDecrypt, randomBytes, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { concat } from '../tlv/ber-tlv.js';
import { hashForSignatureAlgorithm } from './signature.js';
import type { CardSession } from '../reader/card-session.js';

export const ActiveAuthResultSchema = z.object({
  passed: z.boolean(),
  algorithm: z.string(),
  detail: z.string().optional(),
});
export type ActiveAuthResult = z.infer<typeof ActiveAuthResultSchema>;

// ISO/IEC 9796-2 trailer hash identifiers (ISO/IEC 10118).
const TRAILER_HASH: Readonly<Record<number, string>> = { 0x33: 'sha1', 0x34: 'sha256', 0x35: 'sha512', 0x36: 'sha384', 0x38: 'sha224' };

/** Verifies an ISO 9796-2 scheme 1 signature with partial message recovery over M = M1 || challenge. */
export function verifyIso9796Scheme1(key: KeyObject, challenge: Uint8Array, signature: Uint8Array): { ok: boolean; detail?: string } {
  let f: Buffer;
  try {
    f = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return { ok: false, detail: 'RSA operation failed' };
  }
  let hash = 'sha1';
  let trailerLength = 1;
  if (f[f.length - 1] === 0xcc) {
    const h = TRAILER_HASH[f[f.length - 2]!];
    if (!h) return { ok: false, detail: 'unknown hash in ISO 9796-2 trailer' };
    hash = h;
    trailerLength = 2;
  } else if (f[f.length - 1] !== 0xbc) return { ok: false, detail: 'bad ISO 9796-2 trailer' };
  if ((f[0]! & 0xc0) !== 0x40) return { ok: false, detail: 'bad ISO 9796-2 header' };
  const hLen = createHash(hash).digest().length;
  const digestStart = f.length - trailerLength - hLen;
  if (digestStart < 1) return { ok: false, detail: 'signature too short' };
  const m1 = f.subarray(1, digestStart);
  const digest = f.subarray(digestStart, f.length - trailerLength);
  const ok = Buffer.compare(createHash(hash).update(concat(m1, challenge)).digest(), digest) === 0;
  return ok ? { ok } : { ok, detail: 'recovered digest does not match the challenge' };
}

export async function performActiveAuth(
  session: CardSession,
  key: KeyObject,
  aaSignatureAlgorithm: string | undefined,
): Promise<ActiveAuthResult> {
  const challenge = new Uint8Array(randomBytes(8));
  const r = await session.send({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: challenge, le: 256 }, 'INTERNAL AUTHENTICATE');
  const algorithm =
    key.asymmetricKeyType === 'ec' ? `ECDSA/${hashForSignatureAlgorithm(aaSignatureAlgorithm ?? '') ?? '?'}` : 'RSA/ISO9796-2';
  if (r.sw !== 0x9000)
    return { passed: false, algorithm, detail: `card refused INTERNAL AUTHENTICATE (SW ${r.sw.toString(16).toUpperCase()})` };
  if (key.asymmetricKeyType === 'ec') {
    const hash = hashForSignatureAlgorithm(aaSignatureAlgorithm ?? '');
    if (!hash) return { passed: false, algorithm, detail: 'DG14 lacks the ActiveAuthenticationInfo needed for ECDSA' };
    let ok: boolean;
    try {
      ok = verify(hash, challenge, { key, dsaEncoding: 'ieee-p1363' }, r.data);
    } catch {
      ok = false;
    }
    return ok ? { passed: true, algorithm } : { passed: false, algorithm, detail: 'chip signature does not verify with the DG15 key' };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const v = verifyIso9796Scheme1(key, challenge, r.data);
    return v.ok ? { passed: true, algorithm } : { passed: false, algorithm, ...(v.detail ? { detail: v.detail } : {}) };
  }
  return { passed: false, algorithm: String(key.asymmetricKeyType), detail: 'unsupported Active Authentication key type' };
}
