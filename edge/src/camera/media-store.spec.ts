import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { EncryptedMediaStore, loadMediaKey } from './media-store.js';

const crop = () =>
  sharp({ create: { width: 112, height: 112, channels: 3, background: { r: 200, g: 150, b: 120 } } })
    .jpeg()
    .toBuffer();

test('face crops are AES-256-GCM at rest, bound to their name; altered, moved or foreign-key files are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-media-'));
  const key = randomBytes(32);
  const store = new EncryptedMediaStore(dir, key);
  const jpeg = await crop();
  const a = await store.save('face_crop', 'cam-1-0190a1b2-0000-7000-8000-000000000001', jpeg);
  assert.equal(a.ref, 'media:face_crop/cam-1-0190a1b2-0000-7000-8000-000000000001.jpg');
  const file = join(dir, 'face_crop', 'cam-1-0190a1b2-0000-7000-8000-000000000001.jpg.enc');
  const disk = readFileSync(file);
  assert.equal(disk.includes(jpeg.subarray(0, 32)), false, 'no clear JPEG bytes on disk');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(await store.read(a.ref), jpeg);

  await assert.rejects(new EncryptedMediaStore(dir, randomBytes(32)).read(a.ref), /unable to authenticate|Unsupported state/);
  const b = await store.save('face_crop', 'cam-1-other', jpeg);
  copyFileSync(file, join(dir, 'face_crop', 'cam-1-other.jpg.enc')); // a crop passed off as another event's
  await assert.rejects(store.read(b.ref), /unable to authenticate|Unsupported state/);
  disk[disk.length - 20]! ^= 1;
  writeFileSync(file, disk);
  await assert.rejects(store.read(a.ref), /unable to authenticate|Unsupported state/);
  await assert.rejects(store.read('media:face_crop/../../etc/passwd.jpg'), /not a media reference/);
});

test('retention: crops older than the limit are deleted, younger ones kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-media-'));
  const store = new EncryptedMediaStore(dir, randomBytes(32));
  const old = await store.save('face_crop', 'old', await crop());
  const fresh = await store.save('face_crop', 'fresh', await crop());
  const past = (Date.now() - 31 * 86_400_000) / 1000;
  utimesSync(join(dir, 'face_crop', 'old.jpg.enc'), past, past);
  assert.equal(await store.purge(Date.now() - 30 * 86_400_000), 1);
  await assert.rejects(store.read(old.ref), /ENOENT/);
  assert.ok((await store.read(fresh.ref)).length > 0);
});

test('erase: one crop is deleted by reference, a repeat says it was gone, a bad reference is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-media-'));
  const store = new EncryptedMediaStore(dir, randomBytes(32));
  const a = await store.save('face_crop', 'cam-a', await crop());
  const b = await store.save('face_crop', 'cam-b', await crop());
  assert.equal(await store.remove(a.ref), true);
  assert.equal(await store.remove(a.ref), false, 'already gone');
  await assert.rejects(store.read(a.ref), /ENOENT/);
  assert.ok((await store.read(b.ref)).length > 0, 'the other crop stays');
  await assert.rejects(store.remove('media:face_crop/../../x.jpg'), /not a media reference/);
});

test('media key: from CG_MEDIA_KEY, or a key file created 0600 at first start; a readable key file is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-media-key-'));
  const k1 = loadMediaKey(dir, {});
  assert.equal(k1.length, 32);
  assert.equal(statSync(join(dir, 'media.key')).mode & 0o777, 0o600);
  assert.deepEqual(loadMediaKey(dir, {}), k1, 'the same key at the next start');
  chmodSync(join(dir, 'media.key'), 0o644);
  assert.throws(() => loadMediaKey(dir, {}), /readable by other users/);
  const env = randomBytes(32);
  assert.deepEqual(loadMediaKey(dir, { CG_MEDIA_KEY: env.toString('base64') }), env);
  assert.throws(() => loadMediaKey(dir, { CG_MEDIA_KEY: randomBytes(8).toString('base64') }), /base64 of 32 bytes/);
});
