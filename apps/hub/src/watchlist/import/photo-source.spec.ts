import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openPhotoSource } from './photo-source.js';

test("a bulk import's photo folder: files in it are read, nothing outside it (no ../, no symbolic link out of the folder)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-photos-'));
  const outside = join(dir, 'outside.jpg');
  writeFileSync(outside, 'secret');
  const photos = join(dir, 'photos');
  mkdirSync(join(photos, 'sub'), { recursive: true });
  writeFileSync(join(photos, 'a.jpg'), 'A');
  writeFileSync(join(photos, 'sub', 'b.jpg'), 'B');
  symlinkSync('/etc/hostname', join(photos, 'host.jpg'));
  symlinkSync(outside, join(photos, 'out.jpg'));
  symlinkSync(join(photos, 'a.jpg'), join(photos, 'inner.jpg'));
  symlinkSync(dir, join(photos, 'up'));
  const src = await openPhotoSource(photos);
  assert.equal(src.get('a.jpg')?.toString(), 'A');
  assert.equal(src.get('sub/b.jpg')?.toString(), 'B');
  assert.equal(src.get('inner.jpg')?.toString(), 'A', 'a link that stays inside is fine');
  assert.equal(src.get('host.jpg'), undefined);
  assert.equal(src.get('out.jpg'), undefined);
  assert.equal(src.get('up/outside.jpg'), undefined);
  assert.equal(src.get('../outside.jpg'), undefined);
  assert.equal(src.get('missing.jpg'), undefined);
});
