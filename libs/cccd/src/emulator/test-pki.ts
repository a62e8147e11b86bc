// Test PKI made at run time: a CSCA and a document signer (and helpers to sign SODs and master lists).
// Nothing here is a real national key; everything is generated per test run.
import { webcrypto, KeyObject, X509Certificate, sign, createHash } from 'node:crypto';
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the Reflect polyfill loaded first
import * as x509 from '@peculiar/x509';
import { concat, decodeTlv, tlv } from '../tlv/ber-tlv.js';
import { derInteger, octetString, oid, sequence, setOf, TAG } from '../tlv/asn1.js';
import { OID, OID_BY_HASH } from '../lds/oids.js';

type X509Crypto = Parameters<typeof x509.cryptoProvider.set>[0];
type KeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
x509.cryptoProvider.set(webcrypto as unknown as X509Crypto);

export interface TestIssuer {
  cert: X509Certificate;
  der: Uint8Array;
  privateKey: KeyObject;
  cryptoKey: KeyPair;
}

async function keyPair(curve: 'P-256' | 'P-384'): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify'])) as unknown as KeyPair;
}

function toIssuer(c: x509.X509Certificate, keys: KeyPair): TestIssuer {
  const der = new Uint8Array(c.rawData);
  return {
    cert: new X509Certificate(Buffer.from(der)),
    der,
    privateKey: KeyObject.from(keys.privateKey as unknown as webcrypto.CryptoKey),
    cryptoKey: keys,
  };
}

export async function createCsca(opts: { name?: string; notBefore?: Date; notAfter?: Date } = {}): Promise<TestIssuer> {
  const keys = await keyPair('P-384');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: opts.name ?? 'C=VN, O=Test Ministry of Public Security, CN=Test CSCA Vietnam',
    notBefore: opts.notBefore ?? new Date(Date.now() - 365 * 86400e3),
    notAfter: opts.notAfter ?? new Date(Date.now() + 15 * 365 * 86400e3),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return toIssuer(cert, keys);
}

export async function createDocumentSigner(
  csca: TestIssuer,
  opts: { name?: string; notBefore?: Date; notAfter?: Date; serial?: string } = {},
): Promise<TestIssuer> {
  const keys = await keyPair('P-256');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: opts.serial ?? '1001',
    subject: opts.name ?? 'C=VN, O=Test Ministry of Public Security, CN=Test Document Signer 1',
    issuer: csca.cert.subject.split('\n').join(', '),
    notBefore: opts.notBefore ?? new Date(Date.now() - 30 * 86400e3),
    notAfter: opts.notAfter ?? new Date(Date.now() + 11 * 365 * 86400e3),
    publicKey: keys.publicKey,
    signingKey: csca.cryptoKey.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  return toIssuer(cert, keys);
}

/** CMS SignedData (ContentInfo) signed by `signer` with ecdsa-with-SHA256 over signed attributes. */
export function signCms(eContentType: string, eContent: Uint8Array, signer: TestIssuer, hash = 'sha256'): Uint8Array {
  const tbs = decodeTlv(signer.der).children[0]!;
  const fields = tbs.children[0]!.tag === 0xa0 ? tbs.children.slice(1) : tbs.children;
  const serial = fields[0]!.raw;
  const issuer = fields[2]!.raw;
  const hashAlg = sequence(oid(OID_BY_HASH[hash]!));
  const attrs = [
    sequence(oid(OID.contentType), setOf(oid(eContentType))),
    sequence(oid(OID.messageDigest), setOf(octetString(new Uint8Array(createHash(hash).update(eContent).digest())))),
  ];
  const signedAttrsSet = setOf(...attrs);
  const signature = new Uint8Array(sign(hash, signedAttrsSet, { key: signer.privateKey, dsaEncoding: 'der' }));
  const signerInfo = sequence(
    derInteger(1),
    sequence(issuer, serial),
    hashAlg,
    concat(Uint8Array.of(0xa0), signedAttrsSet.subarray(1)),
    sequence(oid(OID.ecdsaWithSha256)),
    octetString(signature),
  );
  const signedData = sequence(
    derInteger(3),
    setOf(hashAlg),
    sequence(oid(eContentType), tlv(0xa0, octetString(eContent))),
    tlv(0xa0, signer.der),
    setOf(signerInfo),
  );
  return sequence(oid(OID.signedData), tlv(0xa0, signedData));
}

/** LDSSecurityObject v0 over the given data groups. */
export function ldsSecurityObject(dataGroups: ReadonlyMap<number, Uint8Array>, hash = 'sha256'): Uint8Array {
  const hashes = [...dataGroups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([n, bytes]) => sequence(derInteger(n), octetString(new Uint8Array(createHash(hash).update(bytes).digest()))));
  return sequence(derInteger(0), sequence(oid(OID_BY_HASH[hash]!)), sequence(...hashes));
}

/** An ICAO CSCA master list signed by a master-list signer issued by `csca`. */
export async function createMasterList(cscas: TestIssuer[], mlSignerIssuer: TestIssuer): Promise<Uint8Array> {
  const signer = await createDocumentSigner(mlSignerIssuer, { name: 'C=VN, CN=Test Master List Signer', serial: '2001' });
  const content = sequence(derInteger(0), tlv(TAG.SET, ...cscas.map((c) => c.der)));
  return signCms(OID.cscaMasterList, content, signer);
}
