// CSCA trust anchors: PEM/DER files, or an ICAO CSCA master list (CMS SignedData over CscaMasterList).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { CccdError } from '../errors.js';
import { decodeTlv } from '../tlv/ber-tlv.js';
import { TAG } from '../tlv/asn1.js';
import { OID } from '../lds/oids.js';
import { parseSignedData } from './cms-signed-data.js';
import { verifySigner } from './signature.js';

const PEM_RE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

export class CscaTrustStore {
  private readonly certs: X509Certificate[] = [];

  get size(): number {
    return this.certs.length;
  }

  get certificates(): readonly X509Certificate[] {
    return this.certs;
  }

  add(cert: X509Certificate | Uint8Array): this {
    const c = cert instanceof X509Certificate ? cert : new X509Certificate(Buffer.from(cert));
    if (!this.certs.some((x) => x.fingerprint256 === c.fingerprint256)) this.certs.push(c);
    return this;
  }

  /** Accepts PEM text (any number of certificates) or a single DER certificate. */
  addEncoded(data: Uint8Array | string): this {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
    const pems = [...text.matchAll(PEM_RE)];
    if (pems.length) {
      for (const m of pems) this.add(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
      return this;
    }
    if (typeof data === 'string') throw new CccdError('TRUST_STORE', 'no PEM certificate found');
    return this.add(data);
  }

  /** Loads .pem/.crt/.cer/.der files, or every such file in a directory, or .ml master lists. */
  static fromPaths(paths: string[]): CscaTrustStore {
    const store = new CscaTrustStore();
    const visit = (p: string) => {
      if (statSync(p).isDirectory()) {
        for (const f of readdirSync(p)) visit(join(p, f));
        return;
      }
      const data = new Uint8Array(readFileSync(p));
      if (/\.ml$/i.test(p)) store.addMasterList(data);
      else if (/\.(pem|crt|cer|der)$/i.test(p)) store.addEncoded(data);
    };
    for (const p of paths) visit(p);
    return store;
  }

  /**
   * Adds the CSCA certificates of an ICAO master list. The list's own CMS signature is verified and its
   * signer must be issued by a CSCA already trusted or contained in the list (self-consistency).
   */
  addMasterList(der: Uint8Array, opts: { verifySignature?: boolean } = {}): this {
    const sd = parseSignedData(der);
    if (sd.eContentType !== OID.cscaMasterList) throw new CccdError('TRUST_STORE', 'not an ICAO CSCA master list');
    const ml = decodeTlv(sd.eContent);
    const set = ml.children.find((c) => c.tag === TAG.SET);
    if (ml.tag !== TAG.SEQUENCE || !set) throw new CccdError('TRUST_STORE', 'malformed CscaMasterList');
    const listed = set.children.map((c) => new X509Certificate(Buffer.from(c.raw)));
    if (opts.verifySignature !== false) {
      const si = sd.signerInfos[0]!;
      const signer = sd.certificates
        .map((c) => new X509Certificate(Buffer.from(c)))
        .find((c) => listed.concat(this.certs).some((a) => c.checkIssued(a) && c.verify(a.publicKey)));
      if (!signer) throw new CccdError('TRUST_STORE', 'master list signer is not issued by a listed CSCA');
      const v = verifySigner(sd, si, signer.publicKey);
      if (!v.attributesConsistent || !v.signatureValid) {
        throw new CccdError('TRUST_STORE', 'master list signature does not verify');
      }
    }
    for (const c of listed) this.add(c);
    return this;
  }

  /** CSCAs whose subject matches the certificate's issuer and whose key verifies its signature. */
  findIssuer(cert: X509Certificate): X509Certificate | undefined {
    return this.certs.find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  }
}
