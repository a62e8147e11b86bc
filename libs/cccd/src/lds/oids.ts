// Object identifiers used by eMRTD (ICAO 9303-10/11/12, BSI TR-03110) and CMS.
export const OID = {
  signedData: '1.2.840.113549.1.7.2',
  /** CMS id-data: some issuers' eContentType for the LDS security object. */
  idData: '1.2.840.113549.1.7.1',
  ldsSecurityObject: '2.23.136.1.1.1',
  cscaMasterList: '2.23.136.1.1.2',
  aaProtocolObject: '2.23.136.1.1.5',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha1WithRsa: '1.2.840.113549.1.1.5',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  sha224WithRsa: '1.2.840.113549.1.1.14',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha224: '1.2.840.10045.4.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ecPublicKey: '1.2.840.10045.2.1',
  paceEcdhGmAes128: '0.4.0.127.0.7.2.2.4.2.2',
  paceEcdhGmAes192: '0.4.0.127.0.7.2.2.4.2.3',
  paceEcdhGmAes256: '0.4.0.127.0.7.2.2.4.2.4',
} as const;

export const HASH_BY_OID: Readonly<Record<string, string>> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

export const OID_BY_HASH: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(HASH_BY_OID).map(([o, h]) => [h, o]));

/** PACE OIDs this library implements: ECDH generic mapping with AES secure messaging. */
export const PACE_CIPHER_BY_OID: Readonly<Record<string, 'AES-128' | 'AES-192' | 'AES-256'>> = {
  [OID.paceEcdhGmAes128]: 'AES-128',
  [OID.paceEcdhGmAes192]: 'AES-192',
  [OID.paceEcdhGmAes256]: 'AES-256',
};
