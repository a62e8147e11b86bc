import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../../test/support/wait-for.js';
import { KEY_ENTER, KEY_LEFTSHIFT, US_KEYS } from './evdev-keymap.js';
import { EvdevQrScanner, INPUT_EVENT_SIZE } from './evdev-qr-scanner.js';
import { EvdevQrInputSchema } from './qr-input-config.schema.js';
import type { ScanResult } from './scan-framer.js';

/** One 64-bit `struct input_event`. */
function record(type: number, code: number, value: number): Buffer {
  const b = Buffer.alloc(INPUT_EVENT_SIZE);
  const now = Date.now();
  b.writeBigInt64LE(BigInt(Math.floor(now / 1000)), 0);
  b.writeBigInt64LE(BigInt((now % 1000) * 1000), 8);
  b.writeUInt16LE(type, 16);
  b.writeUInt16LE(code, 18);
  b.writeInt32LE(value, 20);
  return b;
}
const syn = () => record(0, 0, 0);
const key = (code: number, value: number) => Buffer.concat([record(4, 4, 0x70000 + code), record(1, code, value), syn()]); // MSC_SCAN + key + SYN

/** What a keyboard-wedge scanner emits for `text` then Enter (US layout, Shift for upper-case/symbols). */
function typed(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const ch of text) {
    const entry = [...US_KEYS].find(([, [plain, shifted]]) => plain === ch || shifted === ch);
    if (!entry) continue; // a wedge cannot type it (Vietnamese letters)
    const [code, [plain]] = entry;
    const shift = plain !== ch;
    if (shift) parts.push(key(KEY_LEFTSHIFT, 1));
    parts.push(key(code, 1), key(code, 0));
    if (shift) parts.push(key(KEY_LEFTSHIFT, 0));
  }
  parts.push(key(KEY_ENTER, 1), key(KEY_ENTER, 0));
  return Buffer.concat(parts);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The writer end of the FIFO once the scanner is waiting on it (non-blocking: the test's event loop must keep running). */
async function openWriter(fifo: string): Promise<number> {
  for (let i = 0; i < 250; i++) {
    try {
      return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
      await sleep(20); // no reader yet
    }
  }
  throw new Error('the scanner never opened the FIFO');
}

/** Writes everything, waiting while the pipe is full (the reader drains it). */
async function writeAll(fd: number, b: Buffer): Promise<void> {
  for (let off = 0; off < b.length;) {
    try {
      off += writeSync(fd, b, off, Math.min(4096, b.length - off));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      await sleep(5);
    }
  }
}

test('evdev keyboard wedge from a FIFO of real input_event records: Shift mapping, Enter ends, partial reads, oversize, writer gone → reopened', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-evdev-'));
  const fifo = join(dir, 'usb-scanner-event-kbd');
  execFileSync('mkfifo', [fifo]);
  const scanner = new EvdevQrScanner(
    EvdevQrInputSchema.parse({ kind: 'evdev', path: fifo, maxLength: 200, reconnect: { initialMs: 50, maxMs: 200 } }),
  );
  const out: ScanResult[] = [];
  scanner.start((r) => out.push(r));
  let fd = await openWriter(fifo);
  t.after(async () => {
    await scanner.stop();
    try {
      // A reopen may be blocked waiting for a writer: give it one so nothing is left hanging.
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no reader waiting
    }
  });
  await waitFor(
    () => scanner.health().connected,
    (c) => c,
    5000,
    'evdev node open',
  );

  // The ASCII the wedge can carry: ID, dates, sex "Nam", and symbols needing Shift ('|').
  const qr = '001099004321||Tran Van Binh|01021999|Nam|So 5 Hang Bai, Ha Noi|20042021';
  const bytes = typed(qr);
  // Dribble the records in odd-sized pieces: records split across reads must be reassembled.
  for (let i = 0; i < bytes.length; i += 37) {
    await writeAll(fd, bytes.subarray(i, i + 37));
    if (i % (37 * 20) === 0) await sleep(2);
  }
  await waitFor(
    () => out.length,
    (n) => n >= 1,
    5000,
    'first scan',
  );
  assert.deepEqual(out[0], { text: qr });

  // A Vietnamese name loses its diacritics (the keys do not exist): what gets through is the ASCII.
  await writeAll(fd, typed('079203012345||Nguyễn Thị|15082003|Nữ|x|10052021'));
  await waitFor(
    () => out.length,
    (n) => n >= 2,
    5000,
    'second scan',
  );
  assert.deepEqual(out[1], { text: '079203012345||Nguyn Th|15082003|N|x|10052021' });

  // Oversize: reported once, nothing passed on, the next scan is clean.
  await writeAll(fd, Buffer.concat([typed('9'.repeat(500)), typed('ok123')]));
  await waitFor(
    () => out.length,
    (n) => n >= 4,
    5000,
    'oversize + next',
  );
  assert.match((out[2] as { error: string }).error, /longer than 200/);
  assert.deepEqual(out[3], { text: 'ok123' });

  // The device goes away (writer closed → EOF), comes back: the scanner reopens it.
  closeSync(fd);
  await waitFor(
    () => scanner.health().connected,
    (c) => !c,
    5000,
    'device gone',
  );
  fd = await openWriter(fifo);
  await waitFor(
    () => scanner.health().connected,
    (c) => c,
    5000,
    'device back',
  );
  await writeAll(fd, typed('ABC|def'));
  await waitFor(
    () => out.length,
    (n) => n >= 5,
    5000,
    'scan after reopen',
  );
  assert.deepEqual(out[4], { text: 'ABC|def' });
  assert.equal(scanner.health().reconnects, 1);
  closeSync(fd);
});
