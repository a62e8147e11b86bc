// SecurityInfos (ICAO 9303-11 §9.2) from EF.CardAccess and DG14: PACEInfo and ActiveAuthenticationInfo.
import { decodeTlv, type Tlv } from '../tlv/ber-tlv.js';
import { derInteger, oid, readInteger, readOid, sequence, setOf, TAG } from '../tlv/asn1.js';
import { CccdError } from '../errors.js';
import { OID } from './oids.js';

export interface PaceInfo {
  protocol: string;
  version: number;
  parameterId?: number;
}

export interface SecurityInfos {
  pace: PaceInfo[];
  /** Signature algorithm OID for ECDSA Active Authentication (DG14). */
  activeAuthSignatureAlgorithm?: string;
  /** Every SecurityInfo protocol OID present, for diagnostics. */
  protocols: string[];
}

const PACE_PREFIX = '0.4.0.127.0.7.2.2.4.';

export function parseSecurityInfos(set: Tlv): SecurityInfos {
  if (set.tag !== TAG.SET) throw new CccdError('DG_MALFORMED', 'SecurityInfos is not a SET');
  const out: SecurityInfos = { pace: [], protocols: [] };
  for (const si of set.children) {
    if (si.tag !== TAG.SEQUENCE || si.children.length < 2) continue;
    const protocol = readOid(si.children[0], 'SecurityInfo.protocol');
    out.protocols.push(protocol);
    if (protocol.startsWith(PACE_PREFIX) && si.children[1]!.tag === TAG.INTEGER) {
      const p2 = si.children[2];
      out.pace.push({
        protocol,
        version: readInteger(si.children[1]!, 'PACEInfo.version'),
        ...(p2 && p2.tag === TAG.INTEGER ? { parameterId: readInteger(p2, 'PACEInfo.parameterId') } : {}),
      });
    } else if (protocol === OID.aaProtocolObject && si.children[2]?.tag === TAG.OID) {
      out.activeAuthSignatureAlgorithm = readOid(si.children[2], 'ActiveAuthenticationInfo.signatureAlgorithm');
    }
  }
  return out;
}

export function parseCardAccess(bytes: Uint8Array): SecurityInfos {
  return parseSecurityInfos(decodeTlv(bytes));
}

export function encodePaceInfo(p: PaceInfo): Uint8Array {
  return sequence(oid(p.protocol), derInteger(p.version), ...(p.parameterId !== undefined ? [derInteger(p.parameterId)] : []));
}

export function encodeAaInfo(signatureAlgorithm: string): Uint8Array {
  return sequence(oid(OID.aaProtocolObject), derInteger(1), oid(signatureAlgorithm));
}

export function encodeSecurityInfos(...infos: Uint8Array[]): Uint8Array {
  return setOf(...infos);
}
