import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScanFramer, type ScanResult } from './scan-framer.js';

const QR = '079203012345||Nguyễn Thị Thanh Hương|15082003|Nữ|12 Lê Lợi, Q1|10052021';

function framer(terminator: ConstructorParameters<typeof ScanFramer>[0], maxLength = 256) {
  const out: ScanResult[] = [];
  return { f: new ScanFramer(terminator, maxLength, (r) => out.push(r)), out };
}

test('CR terminator: scans cut at CR, a stray LF of a CRLF scanner ignored, no scan until the CR', () => {
  const { f, out } = framer('CR');
  f.push(Buffer.from(`${QR}\r\n${QR.slice(0, 10)}`));
  assert.deepEqual(out, [{ text: QR }]);
  f.push(Buffer.from(`${QR.slice(10)}\r`));
  assert.deepEqual(out, [{ text: QR }, { text: QR }]);
});

test('LF and CRLF terminators; empty lines are not scans', () => {
  const lf = framer('LF');
  lf.f.push(Buffer.from(`a1\n\nb2\n`));
  assert.deepEqual(lf.out, [{ text: 'a1' }, { text: 'b2' }]);
  const crlf = framer('CRLF');
  crlf.f.push(Buffer.from(`a1\r\nb2\r`));
  crlf.f.push(Buffer.from(`\n`));
  assert.deepEqual(crlf.out, [{ text: 'a1' }, { text: 'b2' }]);
});

test('a multi-byte UTF-8 character split across reads is decoded whole', () => {
  const { f, out } = framer('CR');
  const bytes = Buffer.from(`${QR}\r`, 'utf8');
  const cut = bytes.indexOf(Buffer.from('ễ')) + 1; // inside the 3-byte sequence
  f.push(bytes.subarray(0, cut));
  f.push(bytes.subarray(cut));
  assert.deepEqual(out, [{ text: QR }]);
});

test('bytes that are not UTF-8 are reported and dropped; the next scan still comes through', () => {
  const { f, out } = framer('CR');
  f.push(Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0d]));
  f.push(Buffer.from('ok\r'));
  assert.equal(out.length, 2);
  assert.match((out[0] as { error: string }).error, /not UTF-8/);
  assert.deepEqual(out[1], { text: 'ok' });
});

test('oversize: reported once, the whole scan is discarded up to its terminator, the next one is fine', () => {
  const { f, out } = framer('CR', 64);
  f.push(Buffer.alloc(50, 0x41));
  f.push(Buffer.alloc(50, 0x42));
  f.push(Buffer.alloc(500, 0x43));
  f.push(Buffer.from('tail\rnext\r'));
  assert.equal(out.length, 2);
  assert.match((out[0] as { error: string }).error, /longer than 64 bytes/);
  assert.deepEqual(out[1], { text: 'next' });
});

test('idle-gap terminator: a scan ends after the gap, even when sent in pieces', (t) => {
  // The clock is the test's: a loaded machine cannot stretch the 10 ms between two pieces past the gap.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { f, out } = framer({ idleMs: 40 });
  f.push(Buffer.from(QR.slice(0, 20)));
  t.mock.timers.tick(10);
  f.push(Buffer.from(QR.slice(20)));
  t.mock.timers.tick(39);
  assert.deepEqual(out, [], 'no gap yet: 39 ms since the last piece');
  t.mock.timers.tick(1);
  assert.deepEqual(out, [{ text: QR }]);
  f.push(Buffer.alloc(300, 0x41));
  t.mock.timers.tick(80);
  f.push(Buffer.from('x2'));
  t.mock.timers.tick(80);
  assert.equal(out.length, 3);
  assert.match((out[1] as { error: string }).error, /longer than/);
  assert.deepEqual(out[2], { text: 'x2' });
});
