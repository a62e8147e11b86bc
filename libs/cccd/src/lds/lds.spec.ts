import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTd1, checkDigit, mrzInformation, parseTd1, toMrzName } from './mrz.js';
import { buildDg13, parseDg13 } from './dg13-vn.js';
import { buildDg2, parseDg2 } from './dg2-face.js';
import { DEFAULT_PERSON } from '../emulator/test-card.js';
import { tlv } from '../tlv/ber-tlv.js';
import { derInteger, oid, sequence, setOf, utf8, printable } from '../tlv/asn1.js';
import { CccdError } from '../errors.js';

test('ICAO check digits and MRZ information (9303-11 App. D.2 example)', () => {
  assert.equal(checkDigit('L898902C<'), '3');
  assert.equal(checkDigit('690806'), '1');
  assert.equal(mrzInformation({ documentNumber: 'L898902C', dateOfBirth: '690806', dateOfExpiry: '940623' }), 'L898902C<369080619406236');
});

test('CCCD TD1: builds, parses, verifies every check digit', () => {
  const mrz = buildTd1({
    documentNumber: '203012345',
    personalNumber: '079203012345',
    dateOfBirth: '030815',
    sex: 'F',
    dateOfExpiry: '280815',
    surname: 'Nguyễn',
    givenNames: 'Thị Thanh Hương',
  });
  assert.equal(mrz.slice(0, 30), 'IDVNM2030123450079203012345<<<');
  const td1 = parseTd1(mrz);
  assert.equal(td1.documentNumber, '203012345');
  assert.equal(td1.personalNumber, '079203012345');
  assert.equal(td1.surname, 'NGUYEN');
  assert.equal(td1.givenNames, 'THI THANH HUONG');
  assert.equal(toMrzName('Đặng Văn Đức'), 'DANG<VAN<DUC');
  for (const pos of [14, 36, 44, 59]) {
    const bad = mrz.slice(0, pos) + String((Number(mrz[pos]) + 1) % 10) + mrz.slice(pos + 1);
    assert.throws(
      () => parseTd1(bad),
      (e: unknown) => e instanceof CccdError && e.code === 'MRZ_INVALID',
      `position ${pos}`,
    );
  }
  assert.throws(() => parseTd1(mrz.slice(0, 89)), /90 characters/);
});

test('DG13 round trip keeps Vietnamese text and numbers every field', () => {
  const d = parseDg13(buildDg13({ ...DEFAULT_PERSON, extra: { 14: 'Lê Thị Hoa', 15: '025123456', 16: 'ABCDEF0123456789' } }));
  assert.equal(d.fullName, DEFAULT_PERSON.fullName);
  assert.equal(d.placeOfOrigin, 'Xã Đông Hưng, Huyện Đông Hưng, Thái Bình');
  assert.equal(d.identifyingMarks, DEFAULT_PERSON.identifyingMarks);
  assert.equal(d.fatherName, 'Nguyễn Văn Đức');
  assert.equal(d.motherName, 'Trần Thị Ngọc Ánh');
  assert.deepEqual(d.fields['14']?.values, ['Lê Thị Hoa']);
  assert.deepEqual(
    Object.keys(d.fields)
      .map(Number)
      .sort((a, b) => a - b),
    Array.from({ length: 16 }, (_, i) => i + 1),
  );
  // NFC form as encoded (precomposed), byte-exact.
  assert.equal(Buffer.from(d.fullName!, 'utf8').toString('hex'), Buffer.from(DEFAULT_PERSON.fullName, 'utf8').toString('hex'));
});

test('DG13 tolerates missing fields, a flat layout and unknown field types', () => {
  const f = (n: number, ...v: Uint8Array[]) => sequence(derInteger(n), ...v);
  const flat = tlv(
    0x6d,
    sequence(
      derInteger(1),
      oid('2.16.704.1.2.13'),
      f(1, printable('001099000001')),
      f(2, utf8('Phạm Minh Châu')),
      f(20, tlv(0x04, Uint8Array.of(1, 2, 3))),
    ),
  );
  const d = parseDg13(flat);
  assert.equal(d.idNumber, '001099000001');
  assert.equal(d.fullName, 'Phạm Minh Châu');
  assert.equal(d.dateOfBirth, undefined);
  assert.deepEqual(d.fields['20'], { values: [], rawHex: '0403010203' });
  const dup = tlv(0x6d, sequence(derInteger(1), oid('2.16.704.1.2.13'), setOf(f(2, utf8('A')), f(2, utf8('B')))));
  assert.throws(() => parseDg13(dup), /appears twice/);
  const badUtf8 = tlv(0x6d, sequence(derInteger(1), oid('2.16.704.1.2.13'), setOf(f(2, tlv(0x0c, Uint8Array.of(0xc3, 0x28))))));
  assert.equal(parseDg13(badUtf8).fullName, undefined, 'invalid UTF-8 is not passed off as a name');
});

test('DG2 extracts JPEG and JPEG 2000 images and checks the declared type', () => {
  const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);
  const j = parseDg2(buildDg2(jpeg, 480, 640));
  assert.deepEqual([j.format, j.mime, j.width, j.height], ['jpeg', 'image/jpeg', 480, 640]);
  assert.deepEqual(j.bytes, jpeg);
  const jp2 = Uint8Array.from([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a, 9, 9]);
  const k = parseDg2(buildDg2(jp2, 300, 400, 'jp2'));
  assert.deepEqual([k.format, k.mime], ['jp2', 'image/jp2']);
  assert.throws(() => parseDg2(buildDg2(jp2, 1, 1, 'jpeg')), /does not match/);
});
