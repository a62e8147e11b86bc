import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCccdQr } from '../../../../libs/cccd/src/index.js';
import { HttpsVneidVerifier } from './https-vneid-verifier.js';
import { VneidVerifyRequestSchema } from './vneid-contract.schema.js';
import { VneidSettingsSchema } from './vneid-settings.schema.js';

const QR = parseCccdQr('079203012345||Nguyễn Thị Thanh Hương|15082003|Nữ|12 Lê Lợi, Q1, TP HCM|10052021');
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);

/** A test PKI made with openssl: one CA signing the service (127.0.0.1) and the edge's client cert; a second, unrelated CA. */
function pki(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) =>
    ssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    );
  const leaf = (name: string, ext: string) => {
    ssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('edge', 'extendedKeyUsage=clientAuth\n');
  const f = (n: string) => join(dir, n);
  return {
    ca: f('ca.pem'),
    otherCa: f('other-ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    edgeCert: f('edge.pem'),
    edgeKey: f('edge.key'),
  };
}

type Mode = 'verified' | 'no_photo' | 'refused' | 'wrong_person' | 'slow' | 'bad_json' | 'wrong_schema' | 'http_500';

test('HTTPS VNeID adapter against a real mTLS server on 127.0.0.1: verified, refused, timeout, bad JSON, wrong schema, HTTP error, TLS failures', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-vneid-'));
  const p = pki(dir);
  let mode: Mode = 'verified';
  const requests: unknown[] = [];
  const server: Server = createServer(
    {
      key: readFileSync(p.serverKey),
      cert: readFileSync(p.serverCert),
      ca: readFileSync(p.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        const json = (o: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
        const ok = { status: 'verified', idNumber: QR.idNumber, fullName: QR.fullName, dateOfBirth: QR.dateOfBirth, reference: 'chk-1' };
        switch (mode) {
          case 'verified':
            return json({ ...ok, photoJpeg: PHOTO.toString('base64') });
          case 'no_photo':
            return json(ok);
          case 'refused':
            return json({ status: 'refused', reason: 'revoked' });
          case 'wrong_person':
            return json({ ...ok, idNumber: '001099004321' });
          case 'slow':
            return void setTimeout(() => json(ok), 1500);
          case 'bad_json':
            return void res.writeHead(200).end('{"status": "verif');
          case 'wrong_schema':
            return json({ status: 'verified', idNumber: 12345 });
          case 'http_500':
            return void res.writeHead(500).end('oops');
        }
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/verify`;
  const verifier = (over: Record<string, unknown> = {}) =>
    new HttpsVneidVerifier(
      VneidSettingsSchema.parse({ url, certFile: p.edgeCert, keyFile: p.edgeKey, caFile: p.ca, timeoutMs: 700, ...over }),
      { siteId: 's1', gateId: 'g1' },
    );
  const signal = new AbortController().signal;
  const v = verifier();

  const ok = await v.verify(QR, signal);
  assert.equal(ok.status, 'verified');
  assert.deepEqual(ok.status === 'verified' && Buffer.from(ok.photo!), PHOTO);
  assert.equal(ok.status === 'verified' && ok.reference, 'chk-1');
  const sent = VneidVerifyRequestSchema.parse(requests[0]);
  assert.deepEqual(sent, {
    idNumber: QR.idNumber,
    fullName: 'Nguyễn Thị Thanh Hương',
    dateOfBirth: '2003-08-15',
    dateOfIssue: '2021-05-10',
    siteId: 's1',
    gateId: 'g1',
  });

  const expect = async (m: Mode, status: string, reason: RegExp) => {
    mode = m;
    const t0 = Date.now();
    const r = await v.verify(QR, signal);
    assert.equal(r.status, status, `${m}: ${JSON.stringify(r)}`);
    if (r.status !== 'verified') assert.match(r.reason, reason, m);
    return Date.now() - t0;
  };
  mode = 'no_photo';
  const np = await v.verify(QR, signal);
  assert.ok(np.status === 'verified' && np.photo === undefined);
  await expect('refused', 'refused', /^revoked$/);
  await expect('wrong_person', 'refused', /identity_mismatch/);
  const slowMs = await expect('slow', 'unavailable', /within 700 ms/);
  assert.ok(slowMs < 1400, `timed out at the deadline (${slowMs} ms)`);
  await expect('bad_json', 'unavailable', /not JSON/);
  await expect('wrong_schema', 'unavailable', /does not match the contract/);
  await expect('http_500', 'unavailable', /HTTP 500/);

  mode = 'verified';
  // The service's certificate is not from the CA the edge trusts.
  const wrongCa = await verifier({ caFile: p.otherCa }).verify(QR, signal);
  assert.equal(wrongCa.status, 'unavailable');
  assert.match((wrongCa as { reason: string }).reason, /certificate|self.signed|issuer/i);
  // No client certificate: the service refuses the handshake.
  const noClient = await verifier({ certFile: undefined, keyFile: undefined }).verify(QR, signal);
  assert.equal(noClient.status, 'unavailable');
  // Nothing listening.
  const down = await verifier({ url: 'https://127.0.0.1:1/v1/verify' }).verify(QR, signal);
  assert.equal(down.status, 'unavailable');
  assert.match((down as { reason: string }).reason, /ECONNREFUSED/);
  // The lane gives up (cycle aborted): the request is cancelled.
  mode = 'slow';
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 100);
  const aborted = await verifier({ timeoutMs: 5000 }).verify(QR, ctl.signal);
  assert.equal(aborted.status, 'unavailable');
});
