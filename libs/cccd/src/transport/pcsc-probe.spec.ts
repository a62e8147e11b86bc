import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CccdError } from '../errors.js';
import { pcscdSocketPath, probePcscd } from './pcsc.js';

const dir = mkdtempSync(join(tmpdir(), 'cg-pcscd-'));

test('pcscd probe: no socket, or a stale socket nobody listens on, is "pcscd is not running" (the binding would spin forever)', async () => {
  await assert.rejects(
    probePcscd(join(dir, 'missing.comm')),
    (e: unknown) => e instanceof CccdError && e.code === 'TRANSPORT' && /pcscd is not running: no socket on/.test(e.message),
  );
  // A socket file left behind by a daemon that exited (socket activation with no systemd to wake it).
  const stale = join(dir, 'stale.comm');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(stale, r));
  await new Promise<void>((r) => srv.close(() => r()));
  await assert.rejects(probePcscd(stale), /pcscd is not running: (nothing listens|no socket) on/);
});

test('pcscd probe: a listening socket passes; PCSCLITE_CSOCK_NAME names it as libpcsclite does', async () => {
  const path = join(dir, 'live.comm');
  const srv = createServer((c) => c.destroy());
  await new Promise<void>((r) => srv.listen(path, r));
  try {
    await probePcscd(path);
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
  assert.equal(pcscdSocketPath({ PCSCLITE_CSOCK_NAME: path }), path);
  assert.equal(pcscdSocketPath({}), '/run/pcscd/pcscd.comm');
});
