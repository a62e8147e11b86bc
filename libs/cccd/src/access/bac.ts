// Basic Access Control (ICAO 9303-11 §4.3): 3DES mutual authentication keyed from the MRZ, then
// 3DES secure messaging with SSC = RND.IC[4..8] || RND.IFD[4..8].
import { randomBytes } from 'node:crypto';
import { AccessDeniedError, BadMacError, CardStatusError } from '../errors.js';
import { retailMac, sha1, tdesDecrypt, tdesEncrypt } from '../crypto/des.js';
import { kdf } from '../crypto/kdf.js';
import { pad } from '../crypto/padding.js';
import { concat } from '../tlv/ber-tlv.js';
import { SecureMessaging } from '../sm/secure-messaging.js';
import { tdesCipher } from '../sm/sm-cipher.js';
import { mrzInformation, type MrzKey } from '../lds/mrz.js';
import type { CardSession } from '../reader/card-session.js';

export function bacKeySeed(key: MrzKey): Uint8Array {
  return sha1(new TextEncoder().encode(mrzInformation(key))).subarray(0, 16);
}

export function bacKeys(key: MrzKey): { kEnc: Uint8Array; kMac: Uint8Array } {
  const seed = bacKeySeed(key);
  return { kEnc: kdf(seed, 1, '3DES'), kMac: kdf(seed, 2, '3DES') };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export async function performBac(session: CardSession, key: MrzKey): Promise<SecureMessaging> {
  const { kEnc, kMac } = bacKeys(key);
  const ch = await session.send({ cla: 0, ins: 0x84, p1: 0, p2: 0, le: 8 }, 'GET CHALLENGE');
  if (ch.sw !== 0x9000 || ch.data.length !== 8) throw new CardStatusError(ch.sw, 'GET CHALLENGE');
  const rndIc = ch.data;
  const rndIfd = new Uint8Array(randomBytes(8));
  const kIfd = new Uint8Array(randomBytes(16));
  const eIfd = tdesEncrypt(kEnc, concat(rndIfd, rndIc, kIfd));
  const mIfd = retailMac(kMac, pad(eIfd, 8));
  const r = await session.send({ cla: 0, ins: 0x82, p1: 0, p2: 0, data: concat(eIfd, mIfd), le: 40 }, 'EXTERNAL AUTHENTICATE');
  if (r.sw === 0x6300 || r.sw === 0x6982 || (r.sw & 0xfff0) === 0x63c0) {
    throw new AccessDeniedError('BAC', 'the card rejected the MRZ-derived key (check document number, birth and expiry dates)', r.sw);
  }
  if (r.sw !== 0x9000) throw new CardStatusError(r.sw, 'EXTERNAL AUTHENTICATE');
  if (r.data.length !== 40) throw new AccessDeniedError('BAC', `unexpected ${r.data.length}-byte authentication response`);
  const eIc = r.data.subarray(0, 32);
  if (!equal(retailMac(kMac, pad(eIc, 8)), r.data.subarray(32))) throw new BadMacError('BAC card cryptogram');
  const plain = tdesDecrypt(kEnc, eIc);
  if (!equal(plain.subarray(0, 8), rndIc) || !equal(plain.subarray(8, 16), rndIfd)) {
    throw new AccessDeniedError('BAC', 'card cryptogram does not echo our challenge');
  }
  const kIc = plain.subarray(16, 32);
  const seed = kIfd.map((b, i) => b ^ kIc[i]!);
  const ssc = concat(rndIc.subarray(4), rndIfd.subarray(4));
  return new SecureMessaging(tdesCipher(kdf(seed, 1, '3DES'), kdf(seed, 2, '3DES')), ssc);
}
