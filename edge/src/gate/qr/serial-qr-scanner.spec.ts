import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PtyPair } from '../../../../test/support/pty-pair.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { SerialQrInputSchema, type QrTerminator } from './qr-input-config.schema.js';
import type { ScanResult } from './scan-framer.js';
import { SerialQrScanner } from './serial-qr-scanner.js';

const QR = '079203012345|123456789|Nguyễn Thị Thanh Hương|15082003|Nữ|Số 12 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh|10052021';

async function rig(t: { after: (fn: () => Promise<void>) => void }, terminator: QrTerminator = 'CR') {
  const dir = mkdtempSync(join(tmpdir(), 'cg-serial-'));
  const pty = new PtyPair(join(dir, 'scanner'), join(dir, 'host'));
  await pty.plug();
  const scanner = new SerialQrScanner(
    SerialQrInputSchema.parse({
      kind: 'serial',
      path: pty.host,
      baudRate: 115200,
      terminator,
      maxLength: 300,
      reconnect: { initialMs: 100, maxMs: 400 },
    }),
  );
  const out: ScanResult[] = [];
  scanner.start((r) => out.push(r));
  t.after(async () => {
    await scanner.stop();
    await pty.unplug();
  });
  await waitFor(
    () => scanner.health().connected,
    (c) => c,
    5000,
    'scanner port open',
  );
  return { pty, scanner, out };
}

test('serial scanner over a real pty: UTF-8 Vietnamese scans with CR, CRLF; garbage and oversize reported and dropped', async (t) => {
  const { pty, scanner, out } = await rig(t);
  pty.send(`${QR}\r`);
  pty.send(`${QR.replace('Hương', 'Hưng')}\r\n`);
  // Garbage: invalid UTF-8, then a 1000-byte burst with no terminator until the end.
  pty.send(Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x0d]));
  pty.send(Buffer.alloc(1000, 0x5a));
  pty.send('\r');
  pty.send(`${QR}\r`);
  await waitFor(
    () => out.length,
    (n) => n >= 5,
    5000,
    'five results',
  );
  assert.deepEqual(out[0], { text: QR });
  assert.deepEqual(out[1], { text: QR.replace('Hương', 'Hưng') });
  assert.match((out[2] as { error: string }).error, /not UTF-8/);
  assert.match((out[3] as { error: string }).error, /longer than 300 bytes/);
  assert.deepEqual(out[4], { text: QR });
  const h = scanner.health();
  assert.equal(h.scans, 3);
  assert.equal(h.dropped, 2);
  assert.equal(h.connected, true);
});

test('serial scanner: LF terminator and idle-gap framing over the pty', async (t) => {
  const lf = await rig(t, 'LF');
  lf.pty.send(`${QR}\n${QR}`);
  lf.pty.send('\n');
  await waitFor(
    () => lf.out.length,
    (n) => n >= 2,
    5000,
    'two LF scans',
  );
  assert.deepEqual(lf.out, [{ text: QR }, { text: QR }]);
  const idle = await rig(t, { idleMs: 60 });
  idle.pty.send(QR.slice(0, 40));
  idle.pty.send(QR.slice(40));
  await waitFor(
    () => idle.out.length,
    (n) => n >= 1,
    5000,
    'idle-gap scan',
  );
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(idle.out, [{ text: QR }]);
});

test('serial scanner unplugged (socat killed) → disconnected with the error; plugged back → reconnects and reads again', async (t) => {
  const { pty, scanner, out } = await rig(t);
  pty.send(`${QR}\r`);
  await waitFor(
    () => out.length,
    (n) => n === 1,
    5000,
    'scan before unplug',
  );
  await pty.unplug();
  await waitFor(
    () => scanner.health().connected,
    (c) => !c,
    5000,
    'disconnect noticed',
  );
  assert.ok(scanner.health().lastError, 'the health names the error');
  await new Promise((r) => setTimeout(r, 600)); // several failed reopen attempts while away
  assert.equal(scanner.health().connected, false);
  await pty.plug();
  await waitFor(
    () => scanner.health().connected,
    (c) => c,
    5000,
    'reconnected',
  );
  assert.equal(scanner.health().reconnects, 1);
  pty.send(`${QR}\r`);
  await waitFor(
    () => out.length,
    (n) => n === 2,
    5000,
    'scan after re-plug',
  );
  assert.deepEqual(out[1], { text: QR });
});
