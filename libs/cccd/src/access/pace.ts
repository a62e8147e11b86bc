// PACE v2 (ICAO 9303-11 §4.4) with ECDH generic mapping and AES secure messaging, terminal side.
// The password is the CAN (Vietnamese CCCD: last 6 digits of the ID number) or the MRZ key.
import { AccessDeniedError, BadMacError, CardStatusError, CccdError } from '../errors.js';
import { aesCbcDecrypt, aesCmac } from '../crypto/aes.js';
import { sha1 } from '../crypto/des.js';
import { kdf, type CipherKind } from '../crypto/kdf.js';
import {
  addPoints,
  bigIntToBytes,
  bytesToBigInt,
  CURVES_BY_PARAMETER_ID,
  decodePoint,
  encodePoint,
  multiply,
  randomScalar,
  type Curve,
} from '../crypto/ec-curve.js';
import { concat, decodeTlv, tlv } from '../tlv/ber-tlv.js';
import { encodeOid } from '../tlv/asn1.js';
import { SecureMessaging } from '../sm/secure-messaging.js';
import { aesCipher } from '../sm/sm-cipher.js';
import { PACE_CIPHER_BY_OID } from '../lds/oids.js';
import { mrzInformation, type MrzKey } from '../lds/mrz.js';
import type { PaceInfo } from '../lds/security-infos.js';
import type { CardSession } from '../reader/card-session.js';

export type PacePassword = { kind: 'CAN'; can: string } | { kind: 'MRZ'; mrz: MrzKey };

export function pacePasswordBytes(p: PacePassword): Uint8Array {
  if (p.kind === 'CAN') return new TextEncoder().encode(p.can);
  return sha1(new TextEncoder().encode(mrzInformation(p.mrz)));
}

/** Password reference for MSE:Set AT (ICAO 9303-11 Table: 01 MRZ, 02 CAN). */
export function passwordReference(p: PacePassword): number {
  return p.kind === 'CAN' ? 0x02 : 0x01;
}

export interface PaceSuite {
  oid: string;
  cipher: CipherKind;
  curve: Curve;
}

/** Picks the first PACEInfo this implementation supports. */
export function choosePaceSuite(infos: PaceInfo[]): PaceSuite {
  for (const i of infos) {
    const cipher = PACE_CIPHER_BY_OID[i.protocol];
    const curve = i.parameterId !== undefined ? CURVES_BY_PARAMETER_ID.get(i.parameterId) : undefined;
    if (cipher && curve && i.version === 2) return { oid: i.protocol, cipher, curve };
  }
  throw new CccdError(
    'PROTOCOL',
    `card offers no supported PACE suite (${infos.map((i) => `${i.protocol}/${i.parameterId}`).join(', ') || 'none'})`,
  );
}

/** Public key data object (7F49) the authentication tokens are computed over. */
export function publicKeyDataObject(oid: string, point: Uint8Array): Uint8Array {
  return tlv(0x7f49, tlv(0x06, encodeOid(oid)), tlv(0x86, point));
}

export function authToken(ksMac: Uint8Array, oid: string, point: Uint8Array): Uint8Array {
  return aesCmac(ksMac, publicKeyDataObject(oid, point)).subarray(0, 8);
}

/** Test hook: fixed ephemeral keys reproduce the ICAO worked example. */
export interface PaceKeySource {
  mapping(curve: Curve): bigint;
  agreement(curve: Curve): bigint;
}

const randomKeys: PaceKeySource = { mapping: randomScalar, agreement: randomScalar };

function dynamicAuthData(tag: number, value: Uint8Array): Uint8Array {
  return tlv(0x7c, tlv(tag, value));
}

function readDynamicAuthData(data: Uint8Array, tag: number, step: string): Uint8Array {
  let t;
  try {
    t = decodeTlv(data);
  } catch (e) {
    throw new CccdError('PROTOCOL', `PACE ${step}: malformed response`, { cause: e });
  }
  const c = t.tag === 0x7c ? t.children.find((x) => x.tag === tag) : undefined;
  if (!c) throw new CccdError('PROTOCOL', `PACE ${step}: response lacks tag 0x${tag.toString(16)}`);
  return c.value;
}

export async function performPace(
  session: CardSession,
  password: PacePassword,
  suite: PaceSuite,
  keys: PaceKeySource = randomKeys,
): Promise<SecureMessaging> {
  const { curve, oid, cipher } = suite;
  const denied = (sw: number) =>
    new AccessDeniedError('PACE', password.kind === 'CAN' ? 'the card rejected the CAN' : 'the card rejected the MRZ key', sw);

  const mse = concat(
    tlv(0x80, encodeOid(oid)),
    tlv(0x83, Uint8Array.of(passwordReference(password))),
    tlv(0x84, Uint8Array.of(curve.paceParameterId)),
  );
  const r0 = await session.send({ cla: 0, ins: 0x22, p1: 0xc1, p2: 0xa4, data: mse }, 'MSE:Set AT');
  if ((r0.sw & 0xfff0) === 0x63c0 && (r0.sw & 0x0f) === 0) throw denied(r0.sw); // password blocked
  if (r0.sw !== 0x9000 && (r0.sw & 0xfff0) !== 0x63c0) throw new CardStatusError(r0.sw, 'MSE:Set AT');

  const ga = async (last: boolean, body: Uint8Array, step: string) => {
    const r = await session.send(
      { cla: last ? 0x00 : 0x10, ins: 0x86, p1: 0, p2: 0, data: body, le: 256 },
      `GENERAL AUTHENTICATE (${step})`,
    );
    if (r.sw === 0x6300 || r.sw === 0x6982 || (r.sw & 0xfff0) === 0x63c0) throw denied(r.sw);
    if (r.sw !== 0x9000) throw new CardStatusError(r.sw, `GENERAL AUTHENTICATE (${step})`);
    return r.data;
  };

  // 1. Encrypted nonce.
  const z = readDynamicAuthData(await ga(false, Uint8Array.of(0x7c, 0x00), 'nonce'), 0x80, 'nonce');
  const kPi = kdf(pacePasswordBytes(password), 3, cipher);
  if (z.length === 0 || z.length % 16 !== 0) throw new CccdError('PROTOCOL', 'PACE nonce is not whole AES blocks');
  const s = bytesToBigInt(aesCbcDecrypt(kPi, z));

  // 2. Generic mapping: G' = s·G + H, H = SK_map·PK_map,IC.
  const skMap = keys.mapping(curve);
  const pkMapIfd = encodePoint(curve, multiply(curve, skMap, curve.g));
  const pkMapIc = decodePoint(curve, readDynamicAuthData(await ga(false, dynamicAuthData(0x81, pkMapIfd), 'map nonce'), 0x82, 'map nonce'));
  const H = multiply(curve, skMap, pkMapIc);
  const gMapped = addPoints(curve, multiply(curve, s, curve.g), H);

  // 3. Key agreement on the mapped generator.
  const skEph = keys.agreement(curve);
  const pkEphIfd = encodePoint(curve, multiply(curve, skEph, gMapped));
  const pkEphIcBytes = readDynamicAuthData(await ga(false, dynamicAuthData(0x83, pkEphIfd), 'key agreement'), 0x84, 'key agreement');
  if (Buffer.compare(Buffer.from(pkEphIcBytes), Buffer.from(pkEphIfd)) === 0) {
    throw new CccdError('PROTOCOL', 'PACE: card echoed our ephemeral key (reflection)');
  }
  const pkEphIc = decodePoint(curve, pkEphIcBytes);
  const shared = bigIntToBytes(multiply(curve, skEph, pkEphIc).x, curve.size);
  const ksEnc = kdf(shared, 1, cipher);
  const ksMac = kdf(shared, 2, cipher);

  // 4. Mutual authentication tokens; a wrong password surfaces here as the card refusing our token.
  const tIfd = authToken(ksMac, oid, pkEphIcBytes);
  const tIc = readDynamicAuthData(await ga(true, dynamicAuthData(0x85, tIfd), 'mutual authentication'), 0x86, 'mutual authentication');
  const expected = authToken(ksMac, oid, pkEphIfd);
  if (tIc.length !== 8 || !tIc.every((b, i) => b === expected[i])) throw new BadMacError('PACE card authentication token');
  return new SecureMessaging(aesCipher(ksEnc, ksMac), new Uint8Array(16));
}
