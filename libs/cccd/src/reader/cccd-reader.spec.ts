import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CccdReader } from './cccd-reader.js';
import { CscaTrustStore } from '../pa/trust-store.js';
import { InProcessTransport } from '../transport/in-process.js';
import { EmrtdApplet } from '../emulator/emrtd-applet.js';
import { createCsca, createDocumentSigner, createMasterList } from '../emulator/test-pki.js';
import { createTestCard, type TestCard } from '../emulator/test-card.js';
import { buildDg13 } from '../lds/dg13-vn.js';
import { AccessDeniedError, BadMacError, CccdError } from '../errors.js';

let card: TestCard;
let trust: CscaTrustStore;

before(async () => {
  card = await createTestCard();
  trust = new CscaTrustStore().add(card.csca.der);
});

function reader(c: TestCard, opts: Partial<ConstructorParameters<typeof CccdReader>[1]> = {}, applet = new EmrtdApplet(c)) {
  return { applet, reader: new CccdReader(new InProcessTransport(applet), { trustStore: trust, ...opts }) };
}

test('PACE with the CAN reads and verifies the whole card', async () => {
  const { reader: r } = reader(card);
  const res = await r.read({ can: card.can });
  assert.equal(res.accessMethod, 'PACE-CAN');
  assert.equal(res.genuine, true, res.passiveAuth.failures.join('; '));
  assert.equal(res.passiveAuth.checks.signatureValid, true);
  assert.equal(res.passiveAuth.checks.dsCertificateTrusted, true);
  assert.deepEqual(res.passiveAuth.checks.dataGroupHashes, { '1': 'match', '2': 'match', '13': 'match', '14': 'match', '15': 'match' });
  assert.equal(res.activeAuth?.passed, true);
  assert.equal(res.mrz.personalNumber, '079203012345');
  assert.equal(res.mrz.documentNumber, '203012345');
  assert.equal(res.mrz.surname, 'NGUYEN');
  assert.equal(res.mrz.givenNames, 'THI THANH HUONG');
  // Vietnamese text survives byte-exact.
  assert.equal(res.personal.fullName, 'Nguyễn Thị Thanh Hương');
  assert.equal(res.personal.placeOfResidence, '12 Đường Lê Lợi, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh');
  assert.equal(res.personal.fatherName, 'Nguyễn Văn Đức');
  assert.equal(res.personal.motherName, 'Trần Thị Ngọc Ánh');
  assert.equal(res.face?.mime, 'image/jpeg');
  assert.equal(createHash('sha256').update(res.face!.bytes).digest('hex'), createHash('sha256').update(card.faceJpeg).digest('hex'));
  const names = res.steps.map((s) => s.step);
  assert.deepEqual(names, [
    'access',
    'read EF.COM',
    'read EF.SOD',
    'read DG1',
    'read DG2',
    'read DG13',
    'read DG14',
    'read DG15',
    'active authentication',
    'passive authentication',
    'parse',
  ]);
  assert.ok(res.totals.apdus > 10 && res.totals.bytesReceived > card.faceJpeg.length);
});

test('BAC with the MRZ key (3DES secure messaging, short APDUs only)', async () => {
  const applet = new EmrtdApplet(card, { extendedLength: false });
  const r = new CccdReader(new InProcessTransport(applet, false), { trustStore: trust });
  const res = await r.read({ mrz: card.mrzKey });
  assert.equal(res.accessMethod, 'BAC');
  assert.equal(res.genuine, true);
  assert.equal(res.personal.idNumber, card.idNumber);
});

test('PACE with the MRZ key and NIST P-256 domain parameters', async () => {
  const p256 = await createTestCard({ paceCurve: 'P-256', csca: card.csca, documentSigner: card.documentSigner, aa: 'rsa' });
  const { reader: r } = reader(p256, { mrzMethod: 'pace', maxReadChunk: 4096 });
  const res = await r.read({ mrz: p256.mrzKey });
  assert.equal(res.accessMethod, 'PACE-MRZ');
  assert.equal(res.genuine, true, res.passiveAuth.failures.join('; '));
  assert.equal(res.activeAuth?.algorithm, 'RSA/ISO9796-2');
  assert.equal(res.activeAuth?.passed, true);
});

test('a wrong CAN is a typed access-denied error', async () => {
  const { reader: r } = reader(card);
  const wrong = card.can === '000000' ? '111111' : '000000';
  await assert.rejects(r.read({ can: wrong }), (e: unknown) => e instanceof AccessDeniedError && e.method === 'PACE' && e.sw === 0x6300);
});

test('a wrong MRZ (date of birth) is a typed BAC access-denied error', async () => {
  const { reader: r } = reader(card);
  await assert.rejects(
    r.read({ mrz: { ...card.mrzKey, dateOfBirth: '010101' } }),
    (e: unknown) => e instanceof AccessDeniedError && e.method === 'BAC',
  );
});

test('a corrupted response MAC from the card is a typed bad-MAC error', async () => {
  const applet = new EmrtdApplet(card);
  const r = new CccdReader(new InProcessTransport(applet), { trustStore: trust });
  const orig = applet.process.bind(applet);
  let n = 0;
  applet.process = (apdu) => {
    if (++n === 12) applet.corruptNextResponseMac = true;
    return orig(apdu);
  };
  await assert.rejects(r.read({ can: card.can }), BadMacError);
});

test('tampered DG13 is detected by the hash comparison and the card is not genuine', async () => {
  const forged = { ...card, files: new Map(card.files) };
  forged.files.set(0x010d, buildDg13({ ...card.person, fullName: 'Lê Văn Giả Mạo' }));
  const { reader: r } = reader(forged);
  const res = await r.read({ can: card.can });
  assert.equal(res.genuine, false);
  assert.equal(res.passiveAuth.checks.dataGroupHashes['13'], 'mismatch');
  assert.equal(res.passiveAuth.checks.dataGroupHashes['1'], 'match');
  assert.equal(res.passiveAuth.checks.signatureValid, true);
  assert.match(res.passiveAuth.failures.join(';'), /DG13 hash/);
});

test('a SOD signed under an untrusted CSCA is rejected', async () => {
  const rogueCsca = await createCsca({ name: 'C=VN, CN=Test CSCA Vietnam' }); // same name, other key
  const rogue = await createTestCard({ csca: rogueCsca });
  const { reader: r } = reader(rogue);
  const res = await r.read({ can: rogue.can });
  assert.equal(res.genuine, false);
  assert.equal(res.passiveAuth.checks.signatureValid, true);
  assert.equal(res.passiveAuth.checks.dsCertificateTrusted, false);
  assert.match(res.passiveAuth.failures.join(';'), /not issued by a trusted CSCA/);
});

test('an expired DS certificate follows the configured policy', async () => {
  const ds = await createDocumentSigner(card.csca, {
    notBefore: new Date(Date.now() - 180 * 86400e3),
    notAfter: new Date(Date.now() - 86400e3),
  });
  const expired = await createTestCard({ csca: card.csca, documentSigner: ds });
  const strict = await reader(expired).reader.read({ can: expired.can });
  assert.equal(strict.passiveAuth.checks.dsCertificateValidity, 'expired');
  assert.equal(strict.genuine, false);
  const lenient = await reader(expired, { expiredDocumentSigner: 'accept' }).reader.read({ can: expired.can });
  assert.equal(lenient.passiveAuth.checks.dsCertificateValidity, 'expired');
  assert.equal(lenient.genuine, true, lenient.passiveAuth.failures.join('; '));
});

test('a trust store loaded from an ICAO master list verifies the card', async () => {
  const other = await createCsca({ name: 'C=LA, CN=Test CSCA Laos' });
  const ml = await createMasterList([other, card.csca], card.csca);
  const store = new CscaTrustStore().addMasterList(ml);
  assert.equal(store.size, 2);
  const r = new CccdReader(new InProcessTransport(new EmrtdApplet(card)), { trustStore: store });
  assert.equal((await r.read({ can: card.can })).genuine, true);
  const tampered = Uint8Array.from(ml);
  tampered[tampered.length - 5]! ^= 0x01;
  assert.throws(() => new CscaTrustStore().addMasterList(tampered), CccdError);
});

test('a cloned chip without the AA private key fails Active Authentication', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const clone = { ...card, aaPrivateKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey };
  const res = await reader(clone).reader.read({ can: card.can });
  assert.equal(res.passiveAuth.genuine, true);
  assert.equal(res.activeAuth?.passed, false);
  assert.equal(res.genuine, false);
});
