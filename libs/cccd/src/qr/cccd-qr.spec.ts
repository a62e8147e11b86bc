import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessFromQr, deriveExpiry, parseCccdQr } from './cccd-qr.js';
import { decodeQrFromImage } from './qr-decode.js';
import { CccdError } from '../errors.js';
import { bacKeys } from '../access/bac.js';

const VALID =
  '079203012345|025123456|Nguyễn Thị Thanh Hương|15082003|Nữ|12 Đường Lê Lợi, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh|10052021';

test('a valid CCCD QR payload parses with diacritics intact', () => {
  const q = parseCccdQr(VALID);
  assert.equal(q.idNumber, '079203012345');
  assert.equal(q.oldIdNumber, '025123456');
  assert.equal(q.fullName, 'Nguyễn Thị Thanh Hương');
  assert.equal(q.dateOfBirth, '2003-08-15');
  assert.equal(q.dateOfIssue, '2021-05-10');
  assert.equal(q.sex, 'Nữ');
  assert.equal(parseCccdQr(VALID.replace('025123456', '')).oldIdNumber, undefined);
});

test('QR gives the CAN and a BAC key with the milestone expiry', () => {
  const a = accessFromQr(parseCccdQr(VALID));
  assert.equal(a.can, '012345');
  assert.equal(a.derivedExpiry, '2028-08-15');
  assert.deepEqual(a.mrz, { documentNumber: '203012345', dateOfBirth: '030815', dateOfExpiry: '280815' });
  assert.doesNotThrow(() => bacKeys(a.mrz!));
});

test('expiry milestones: within two years of a milestone runs to the next; from 58 none', () => {
  assert.equal(deriveExpiry('1990-03-01', '2014-01-01'), '2030-03-01'); // age 23.8 → 40
  assert.equal(deriveExpiry('1990-03-01', '2012-12-31'), '2015-03-01'); // age 22.8 → 25
  assert.equal(deriveExpiry('1960-07-20', '2019-01-01'), null); // age 58 → no expiry
  assert.equal(accessFromQr(parseCccdQr('001060012345||Trần Văn Bình|20071960|Nam|Hà Nội|01012019')).mrz, undefined);
});

test('malformed QR payloads are typed errors', () => {
  const bad = [
    '',
    '079203012345|Nguyễn|15082003|Nữ|x|10052021',
    VALID.replace('079203012345', '07920301234'),
    VALID.replace('025123456', '02512345X'),
    VALID.replace('15082003', '31022003'),
    VALID.replace('|Nữ|', '|Female|'),
    VALID.replace('10052021', '10051999'),
    VALID + '|extra',
  ];
  for (const b of bad)
    assert.throws(
      () => parseCccdQr(b),
      (e: unknown) => e instanceof CccdError && e.code === 'QR_INVALID',
      b,
    );
});

test('a QR image (rendered by qrencode) decodes back to the UTF-8 payload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cccd-qr-'));
  try {
    const png = join(dir, 'qr.png');
    execFileSync('qrencode', ['-o', png, '-s', '4', '-m', '4', VALID]);
    const text = await decodeQrFromImage(png);
    assert.equal(text, VALID);
    assert.equal(parseCccdQr(text).fullName, 'Nguyễn Thị Thanh Hương');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an image without a QR code is a typed error', async () => {
  const { default: sharp } = await import('sharp');
  const blank = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
  await assert.rejects(decodeQrFromImage(new Uint8Array(blank)), CccdError);
});
