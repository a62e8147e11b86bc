// Verifies CMS / X.509-style signatures with node's crypto (RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA incl.
// brainpool curves), so algorithm support follows OpenSSL rather than WebCrypto's narrower list.
import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import type { Tlv } from '../tlv/ber-tlv.js';
import { readInteger, readOid } from '../tlv/asn1.js';
import { HASH_BY_OID, OID } from '../lds/oids.js';

const SIG_HASH: Readonly<Record<string, string>> = {
  [OID.sha1WithRsa]: 'sha1',
  [OID.sha224WithRsa]: 'sha224',
  [OID.sha256WithRsa]: 'sha256',
  [OID.sha384WithRsa]: 'sha384',
  [OID.sha512WithRsa]: 'sha512',
  [OID.ecdsaWithSha1]: 'sha1',
  [OID.ecdsaWithSha224]: 'sha224',
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
};

export function hashForSignatureAlgorithm(sigOid: string): string | undefined {
  return SIG_HASH[sigOid];
}

function pssParams(params: Tlv | undefined): { hash: string; saltLength: number } {
  let hash = 'sha1';
  let saltLength = 20;
  for (const p of params?.children ?? []) {
    if (p.tag === 0xa0) hash = HASH_BY_OID[readOid(p.children[0]?.children[0], 'PSS hash')] ?? 'unsupported';
    if (p.tag === 0xa2 && p.children[0]) saltLength = readInteger(p.children[0], 'PSS saltLength');
  }
  return { hash, saltLength };
}

/** Returns true only when the signature verifies; unknown algorithms are a failure, not an exception. */
export function verifySignature(
  sigOid: string,
  params: Tlv | undefined,
  digestOid: string | undefined,
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
): boolean {
  try {
    if (sigOid === OID.rsassaPss) {
      const { hash, saltLength } = pssParams(params);
      return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
    }
    const hash = SIG_HASH[sigOid] ?? (sigOid === OID.rsaEncryption && digestOid ? HASH_BY_OID[digestOid] : undefined);
    if (!hash) return false;
    if (key.asymmetricKeyType === 'ec') return verify(hash, data, { key, dsaEncoding: 'der' }, signature);
    return verify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

/** Checks a CMS signer: content-type and message-digest attributes, then the signature over them. */
export function verifySigner(
  sd: { eContentType: string; eContent: Uint8Array },
  si: {
    digestAlgorithm: string;
    signedAttributes?: Uint8Array;
    contentTypeAttr?: string;
    messageDigestAttr?: Uint8Array;
    signatureAlgorithm: string;
    signatureAlgorithmParams?: Tlv;
    signature: Uint8Array;
  },
  key: KeyObject,
): { attributesConsistent: boolean; signatureValid: boolean } {
  const hash = HASH_BY_OID[si.digestAlgorithm];
  if (!si.signedAttributes || !hash) return { attributesConsistent: false, signatureValid: false };
  const digest = createHash(hash).update(sd.eContent).digest();
  const attributesConsistent =
    si.contentTypeAttr === sd.eContentType && !!si.messageDigestAttr && Buffer.compare(digest, Buffer.from(si.messageDigestAttr)) === 0;
  const signatureValid = verifySignature(
    si.signatureAlgorithm,
    si.signatureAlgorithmParams,
    si.digestAlgorithm,
    si.signedAttributes,
    si.signature,
    key,
  );
  return { attributesConsistent, signatureValid };
}
