import { webcrypto } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the Reflect polyfill loaded first
import * as x509 from '@peculiar/x509';

type X509Crypto = Parameters<typeof x509.cryptoProvider.set>[0];
type KeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
x509.cryptoProvider.set(webcrypto as unknown as X509Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const keyPair = async () => (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as KeyPair;
const pemKey = async (k: KeyPair) =>
  x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', k.privateKey as unknown as webcrypto.CryptoKey), 'PRIVATE KEY');

async function selfSignedCa(name: string): Promise<{ cert: x509.X509Certificate; keys: KeyPair }> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 86400e3),
    notAfter: new Date(Date.now() + 86400e3),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { cert, keys };
}

export interface TestTls {
  dir: string;
  /** The CA that signed the server certificate. */
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A CA that signed nothing here: clients trusting it must refuse the server. */
  otherCaFile: string;
}

/** A throwaway CA and a server certificate for 127.0.0.1/localhost, as PEM files (readable by Mosquitto's user). */
export async function createTestTls(): Promise<TestTls> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-tls-'));
  const ca = await selfSignedCa('Cong AI test CA');
  const other = await selfSignedCa('Cong AI other CA');
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=127.0.0.1',
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 86400e3),
    notAfter: new Date(Date.now() + 86400e3),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const files = {
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    otherCaFile: join(dir, 'other-ca.crt'),
  };
  writeFileSync(files.caFile, ca.cert.toString('pem'));
  writeFileSync(files.otherCaFile, other.cert.toString('pem'));
  writeFileSync(files.certFile, cert.toString('pem'));
  writeFileSync(files.keyFile, await pemKey(keys));
  // Mosquitto reads these after dropping to its own user; the key is a throwaway test key.
  chmodSync(dir, 0o755);
  for (const f of Object.values(files)) chmodSync(f, 0o644);
  return { dir, ...files };
}
