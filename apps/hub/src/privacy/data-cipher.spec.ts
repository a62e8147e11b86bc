import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CiphertextError, DataCipher } from './data-cipher.js';
import { KeyRing } from './key-ring.js';

test('AES-256-GCM: round trip; a flipped byte, a moved ciphertext or a missing key is detected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-keys-'));
  const file = join(dir, 'keys.json');
  const cipher = new DataCipher(KeyRing.load({ dataKeyFile: file }));
  assert.equal(statSync(file).mode & 0o777, 0o600, 'key file is private');
  const ct = cipher.encrypt('001099012345', 'watchlist_entries.id_number:e1');
  assert.match(ct, /^g1:k1:/);
  assert.equal(cipher.decryptString(ct, 'watchlist_entries.id_number:e1'), '001099012345');
  assert.ok(!ct.includes('001099012345'));

  const raw = Buffer.from(ct.split(':')[2]!, 'base64');
  for (const at of [0, 13, raw.length - 1]) {
    const bad = Buffer.from(raw);
    bad[at]! ^= 0x01;
    assert.throws(() => cipher.decrypt(`g1:k1:${bad.toString('base64')}`, 'watchlist_entries.id_number:e1'), CiphertextError, `byte ${at}`);
  }
  assert.throws(() => cipher.decrypt(ct, 'watchlist_entries.id_number:e2'), /failed authentication/, 'moved to another row');
  assert.throws(() => cipher.decrypt(ct.replace('g1:k1:', 'g1:k9:'), 'watchlist_entries.id_number:e1'), /k9 is not in the key ring/);
  assert.throws(() => cipher.decrypt('001099012345', 'x'), /not a ciphertext/);

  // Rotation: a new current key; old ciphertexts still decrypt and are flagged for re-encryption.
  const rotated = cipher.keyRing.rotated();
  assert.equal(rotated.currentId, 'k2');
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(file, 'utf8')).dataKeys), ['k1', 'k2']);
  cipher.useKeyRing(rotated);
  assert.equal(cipher.needsReencryption(ct), true);
  assert.equal(cipher.decryptString(ct, 'watchlist_entries.id_number:e1'), '001099012345');
  assert.match(cipher.encrypt('x', 'a'), /^g1:k2:/);
  assert.equal(
    cipher.idHmac('001099012345'),
    new DataCipher(KeyRing.load({ dataKeyFile: file })).idHmac('001099012345'),
    'HMAC key survives rotation',
  );
});

test('keys from HUB_DATA_KEY: the first is current, the others decrypt', () => {
  const k1 = Buffer.alloc(32, 7).toString('base64');
  const k2 = Buffer.alloc(32, 9).toString('base64');
  const dir = mkdtempSync(join(tmpdir(), 'cg-keys-'));
  const old = new DataCipher(KeyRing.load({ dataKeys: `old:${k1}`, dataKeyFile: join(dir, 'k.json') }));
  const ct = old.encrypt('x', 'a');
  const ring = KeyRing.load({ dataKeys: `new:${k2},old:${k1}`, dataKeyFile: join(dir, 'k.json') });
  assert.equal(ring.currentId, 'new');
  assert.equal(new DataCipher(ring).decryptString(ct, 'a'), 'x');
  assert.throws(() => ring.rotated(), /HUB_DATA_KEY/);
});
