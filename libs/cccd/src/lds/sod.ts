// EF.SOD: tag 77 wrapping a CMS SignedData over an LDSSecurityObject (ICAO 9303-10 §4.6.2).
import { CccdError } from '../errors.js';
import { BER_TLV_LIMITS, decodeTlv, tlv } from '../tlv/ber-tlv.js';
import { readInteger, readOid, TAG } from '../tlv/asn1.js';
import { parseSignedData, type SignedData } from '../pa/cms-signed-data.js';
import { HASH_BY_OID, OID } from './oids.js';

export interface Sod {
  signedData: SignedData;
  version: number;
  /** Node hash name, e.g. 'sha256'. */
  hashAlgorithm: string;
  dataGroupHashes: Map<number, Uint8Array>;
}

export function parseLdsSecurityObject(eContent: Uint8Array): Omit<Sod, 'signedData'> {
  const so = decodeTlv(eContent);
  if (so.tag !== TAG.SEQUENCE || so.children.length < 3) throw new CccdError('DG_MALFORMED', 'LDSSecurityObject malformed');
  const version = readInteger(so.children[0]!, 'LDSSecurityObject.version');
  const hashOid = readOid(so.children[1]!.children[0], 'LDSSecurityObject.hashAlgorithm');
  const hashAlgorithm = HASH_BY_OID[hashOid];
  if (!hashAlgorithm) throw new CccdError('DG_MALFORMED', `unsupported SOD hash algorithm ${hashOid}`);
  const dataGroupHashes = new Map<number, Uint8Array>();
  for (const h of so.children[2]!.children) {
    const n = readInteger(h.children[0]!, 'DataGroupHash.dataGroupNumber');
    const v = h.children[1];
    if (!v || v.tag !== TAG.OCTET_STRING) throw new CccdError('DG_MALFORMED', 'DataGroupHash without value');
    if (dataGroupHashes.has(n)) throw new CccdError('DG_MALFORMED', `DG${n} hashed twice in the SOD`);
    dataGroupHashes.set(n, v.value);
  }
  return { version, hashAlgorithm, dataGroupHashes };
}

export function parseSod(bytes: Uint8Array): Sod {
  const outer = decodeTlv(bytes, BER_TLV_LIMITS);
  if (outer.tag !== 0x77 || !outer.children[0]) throw new CccdError('DG_MALFORMED', 'EF.SOD does not start with tag 77');
  const signedData = parseSignedData(outer.children[0].raw);
  // Some issuers sign the LDS security object with eContentType id-data; readers in the field accept it.
  // Nothing else is relaxed: the content must still parse as an LDSSecurityObject and the signed
  // contentType attribute must still equal the eContentType (checked with the signature).
  if (signedData.eContentType !== OID.ldsSecurityObject && signedData.eContentType !== OID.idData) {
    throw new CccdError('DG_MALFORMED', `SOD content type ${signedData.eContentType} is not an LDS security object`);
  }
  return { signedData, ...parseLdsSecurityObject(signedData.eContent) };
}

export function wrapSod(contentInfo: Uint8Array): Uint8Array {
  return tlv(0x77, contentInfo);
}
