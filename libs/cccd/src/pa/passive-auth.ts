// Passive authentication (ICAO 9303-11 §5.1): SOD signature, DS certificate chain to a trusted CSCA,
// and every read data group's hash against the SOD. The result lists each check so the gate can log
// exactly why a card was refused; `genuine` is true only when all of them pass.
import { createHash, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { parseSod, type Sod } from '../lds/sod.js';
import type { CscaTrustStore } from './trust-store.js';
import { verifySigner } from './signature.js';

export const DgHashStatusSchema = z.enum(['match', 'mismatch', 'not-in-sod']);

export const CertSummarySchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
});

export const PassiveAuthResultSchema = z.object({
  genuine: z.boolean(),
  hashAlgorithm: z.string().optional(),
  checks: z.object({
    sodParsed: z.boolean(),
    signedAttributesConsistent: z.boolean(),
    signatureValid: z.boolean(),
    dsCertificateTrusted: z.boolean(),
    dsCertificateValidity: z.enum(['valid', 'expired', 'not-yet-valid', 'unknown']),
    dataGroupHashes: z.record(z.string(), DgHashStatusSchema),
  }),
  failures: z.array(z.string()),
  documentSigner: CertSummarySchema.optional(),
  csca: CertSummarySchema.optional(),
});
export type PassiveAuthResult = z.infer<typeof PassiveAuthResultSchema>;

export interface PassiveAuthOptions {
  trustStore: CscaTrustStore;
  /**
   * An expired DS certificate normally means the document itself is past its validity (DS certificates
   * outlive the documents they sign). 'reject' (default) refuses it; 'accept' records it and passes.
   */
  expiredDocumentSigner?: 'reject' | 'accept';
  now?: Date;
}

function summary(c: X509Certificate): z.infer<typeof CertSummarySchema> {
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    serialNumber: c.serialNumber,
    validFrom: new Date(c.validFrom).toISOString(),
    validTo: new Date(c.validTo).toISOString(),
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

function findSignerCert(sod: Sod): X509Certificate | undefined {
  const si = sod.signedData.signerInfos[0]!;
  const certs = sod.signedData.certificates.map((c) => new X509Certificate(Buffer.from(c)));
  if (si.serialRaw) {
    const serialHex = Buffer.from(si.serialRaw).toString('hex').replace(/^0+/, '').toUpperCase();
    return certs.find((c) => c.serialNumber.replace(/^0+/, '').toUpperCase() === serialHex);
  }
  return certs[0];
}

export function verifyPassive(
  sodBytes: Uint8Array,
  dataGroups: ReadonlyMap<number, Uint8Array>,
  opts: PassiveAuthOptions,
): PassiveAuthResult {
  const failures: string[] = [];
  const now = opts.now ?? new Date();
  const result: PassiveAuthResult = {
    genuine: false,
    checks: {
      sodParsed: false,
      signedAttributesConsistent: false,
      signatureValid: false,
      dsCertificateTrusted: false,
      dsCertificateValidity: 'unknown',
      dataGroupHashes: {},
    },
    failures,
  };
  let sod: Sod;
  try {
    sod = parseSod(sodBytes);
    result.checks.sodParsed = true;
    result.hashAlgorithm = sod.hashAlgorithm;
  } catch (e) {
    failures.push(`EF.SOD unreadable: ${(e as Error).message}`);
    return PassiveAuthResultSchema.parse(result);
  }

  for (const [dg, bytes] of dataGroups) {
    const expected = sod.dataGroupHashes.get(dg);
    if (!expected) {
      result.checks.dataGroupHashes[String(dg)] = 'not-in-sod';
      failures.push(`DG${dg} is not covered by the SOD`);
      continue;
    }
    const ok = sameBytes(createHash(sod.hashAlgorithm).update(bytes).digest(), expected);
    result.checks.dataGroupHashes[String(dg)] = ok ? 'match' : 'mismatch';
    if (!ok) failures.push(`DG${dg} hash does not match the SOD (data altered)`);
  }

  let ds: X509Certificate | undefined;
  try {
    ds = findSignerCert(sod);
  } catch (e) {
    failures.push(`document signer certificate unreadable: ${(e as Error).message}`);
  }
  if (!ds) {
    failures.push('no document signer certificate in the SOD');
    return PassiveAuthResultSchema.parse(result);
  }
  result.documentSigner = summary(ds);

  const v = verifySigner(sod.signedData, sod.signedData.signerInfos[0]!, ds.publicKey);
  result.checks.signedAttributesConsistent = v.attributesConsistent;
  result.checks.signatureValid = v.signatureValid;
  if (!v.attributesConsistent) failures.push('SOD signed attributes do not match its content');
  if (!v.signatureValid) failures.push('SOD signature does not verify with the document signer key');

  const from = new Date(ds.validFrom);
  const to = new Date(ds.validTo);
  result.checks.dsCertificateValidity = now < from ? 'not-yet-valid' : now > to ? 'expired' : 'valid';
  if (result.checks.dsCertificateValidity === 'not-yet-valid') failures.push('document signer certificate is not yet valid');
  if (result.checks.dsCertificateValidity === 'expired' && (opts.expiredDocumentSigner ?? 'reject') === 'reject') {
    failures.push('document signer certificate has expired');
  }

  const csca = opts.trustStore.findIssuer(ds);
  if (!csca) failures.push('document signer certificate is not issued by a trusted CSCA');
  else {
    result.csca = summary(csca);
    // The CSCA must have been valid when it issued the DS certificate (its own later expiry is fine).
    if (from < new Date(csca.validFrom) || from > new Date(csca.validTo))
      failures.push('CSCA was not valid when the DS certificate was issued');
    else if (csca.ca === false) failures.push('issuing certificate is not a CA');
    else result.checks.dsCertificateTrusted = true;
  }

  result.genuine = failures.length === 0;
  return PassiveAuthResultSchema.parse(result);
}
