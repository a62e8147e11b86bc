// CMS SignedData (RFC 5652) as used by EF.SOD and ICAO CSCA master lists, parsed with the strict TLV
// parser so the exact signed-attribute bytes are available for signature verification.
import { CccdError } from '../errors.js';
import { BER_TLV_LIMITS, concat, decodeTlv, encodeLength, type Tlv } from '../tlv/ber-tlv.js';
import { readInteger, readOid, TAG } from '../tlv/asn1.js';
import { OID } from '../lds/oids.js';

export interface SignerInfo {
  version: number;
  issuerRaw?: Uint8Array;
  serialRaw?: Uint8Array;
  subjectKeyIdentifier?: Uint8Array;
  digestAlgorithm: string;
  /** DER of the signed attributes re-tagged as SET (31), i.e. the bytes the signature covers. */
  signedAttributes?: Uint8Array;
  contentTypeAttr?: string;
  messageDigestAttr?: Uint8Array;
  signatureAlgorithm: string;
  /** Raw AlgorithmIdentifier parameters (RSASSA-PSS needs them). */
  signatureAlgorithmParams?: Tlv;
  signature: Uint8Array;
}

export interface SignedData {
  eContentType: string;
  eContent: Uint8Array;
  certificates: Uint8Array[];
  signerInfos: SignerInfo[];
}

function fail(msg: string): never {
  throw new CccdError('DG_MALFORMED', `CMS: ${msg}`);
}

function parseSignerInfo(si: Tlv): SignerInfo {
  const c = si.children;
  if (si.tag !== TAG.SEQUENCE || c.length < 5) fail('SignerInfo is not a SEQUENCE of ≥5 elements');
  let i = 0;
  const version = readInteger(c[i++]!, 'SignerInfo.version');
  const sid = c[i++]!;
  const out: Partial<SignerInfo> = { version };
  if (sid.tag === TAG.SEQUENCE && sid.children.length === 2) {
    out.issuerRaw = sid.children[0]!.raw;
    out.serialRaw = sid.children[1]!.value;
  } else if (sid.tag === 0x80) out.subjectKeyIdentifier = sid.value;
  else fail('unsupported SignerIdentifier');
  const digAlg = c[i++]!;
  out.digestAlgorithm = readOid(digAlg.children[0], 'SignerInfo.digestAlgorithm');
  if (c[i]?.tag === 0xa0) {
    const attrs = c[i++]!;
    // The signature covers the DER SET OF the attributes: re-tag a definite encoding as it is; one sent
    // with an indefinite length is re-encoded (each attribute must itself be DER, or the signature fails).
    out.signedAttributes =
      attrs.raw[1] === 0x80
        ? concat(
            Uint8Array.of(0x31),
            encodeLength(attrs.children.reduce((n, a) => n + a.raw.length, 0)),
            ...attrs.children.map((a) => a.raw),
          )
        : concat(Uint8Array.of(0x31), attrs.raw.subarray(1));
    for (const a of attrs.children) {
      const type = readOid(a.children[0], 'Attribute.type');
      const val = a.children[1]?.children[0];
      if (!val) continue;
      if (type === OID.contentType) out.contentTypeAttr = readOid(val, 'contentType');
      if (type === OID.messageDigest && val.tag === TAG.OCTET_STRING) out.messageDigestAttr = val.value;
    }
  }
  const sigAlg = c[i++];
  if (!sigAlg) fail('SignerInfo without signatureAlgorithm');
  out.signatureAlgorithm = readOid(sigAlg.children[0], 'SignerInfo.signatureAlgorithm');
  if (sigAlg.children[1] && sigAlg.children[1].tag !== TAG.NULL) out.signatureAlgorithmParams = sigAlg.children[1];
  const sig = c[i];
  if (!sig || sig.tag !== TAG.OCTET_STRING) fail('SignerInfo without signature');
  out.signature = sig.value;
  return out as SignerInfo;
}

/** BER as issuers write it (indefinite lengths, eContent as a constructed OCTET STRING in chunks) or DER. */
export function parseSignedData(contentInfoDer: Uint8Array): SignedData {
  const ci = decodeTlv(contentInfoDer, BER_TLV_LIMITS);
  if (ci.tag !== TAG.SEQUENCE || ci.children.length !== 2) fail('ContentInfo is not a 2-element SEQUENCE');
  if (readOid(ci.children[0], 'ContentInfo.contentType') !== OID.signedData) fail('content is not SignedData');
  const sd = ci.children[1]!.children[0];
  if (!sd || sd.tag !== TAG.SEQUENCE) fail('SignedData is not a SEQUENCE');
  const [, , encap, ...rest] = sd.children;
  if (!encap || encap.tag !== TAG.SEQUENCE) fail('missing EncapsulatedContentInfo');
  const eContentType = readOid(encap.children[0], 'eContentType');
  const explicit = encap.children[1];
  const octets = explicit?.tag === 0xa0 ? explicit.children[0] : undefined;
  // A constructed OCTET STRING (tag 0x24) carries its bytes in primitive OCTET STRING chunks.
  const chunked = octets?.tag === 0x24 && octets.children.length > 0 && octets.children.every((c) => c.tag === TAG.OCTET_STRING);
  if (!octets || (octets.tag !== TAG.OCTET_STRING && !chunked)) fail('missing eContent');
  const certs = rest.find((t) => t.tag === 0xa0);
  const signerSet = rest.find((t) => t.tag === TAG.SET);
  if (!signerSet || signerSet.children.length === 0) fail('no SignerInfo');
  return {
    eContentType,
    eContent: chunked ? concat(...octets.children.map((c) => c.value)) : octets.value,
    certificates: (certs?.children ?? []).filter((c) => c.tag === TAG.SEQUENCE).map((c) => c.raw),
    signerInfos: signerSet.children.map(parseSignerInfo),
  };
}
