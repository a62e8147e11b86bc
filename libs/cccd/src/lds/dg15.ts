// DG15: the Active Authentication public key (SubjectPublicKeyInfo).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { CccdError } from '../errors.js';
import { decodeTlv, tlv } from '../tlv/ber-tlv.js';

export function parseDg15(bytes: Uint8Array): KeyObject {
  const t = decodeTlv(bytes);
  if (t.tag !== 0x6f || !t.children[0]) throw new CccdError('DG_MALFORMED', 'DG15 does not start with tag 6F');
  try {
    return createPublicKey({ key: Buffer.from(t.children[0].raw), format: 'der', type: 'spki' });
  } catch (e) {
    throw new CccdError('DG_MALFORMED', 'DG15 does not hold a usable public key', { cause: e });
  }
}

export function buildDg15(publicKey: KeyObject): Uint8Array {
  return tlv(0x6f, new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })));
}
