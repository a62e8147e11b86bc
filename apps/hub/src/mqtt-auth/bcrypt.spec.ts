import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bcryptHash, bcryptVerify, piFractionWords } from './bcrypt.js';

const salt = (s: string) => {
  const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const BC = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Buffer.from([...s].map((c) => STD[BC.indexOf(c)]).join(''), 'base64');
};

test('Blowfish initial state: the hexadecimal digits of π (first and last words of the P-array and S-boxes)', () => {
  const w = piFractionWords();
  assert.equal(w.length, 18 + 1024);
  assert.deepEqual([w[0], w[1], w[17]], [0x243f6a88, 0x85a308d3, 0x8979fb1b]);
  assert.deepEqual([w[18], w[18 + 255], w[18 + 256], w[18 + 1023]], [0xd1310ba6, 0x6e85076a, 0x4b7a70e9, 0x3ac372e6]);
});

test('bcrypt: the same hashes as the system crypt(3) ($2b$), checked both ways', () => {
  // Produced with the C library's bcrypt (Python's crypt.crypt) for these passwords and salts.
  const vectors: [string, string][] = [
    ['', '$2b$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
    ['abc', '$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
    // A generated gate password (43 base64url characters).
    ['Vl1rLAF2Mm8cLQmDk1lT9sqjE2Hc4vZeTgJdQ1MGgK4', '$2b$08$Ro0CUfOqk6cXEKf3dyaM7OlWXVc8j/Uvqs8GFD3BagmbD8hehtwYi'],
    ['Cổng AI', '$2b$05$abcdefghijklmnopqrstuudj10iLrEE5fJDDd1L/8vvKywrJvN03W'],
  ];
  for (const [password, hash] of vectors) {
    const cost = Number(hash.slice(4, 6));
    assert.equal(bcryptHash(password, cost, salt(hash.slice(7, 29))), hash, `hash of ${JSON.stringify(password)}`);
    assert.equal(bcryptVerify(hash, password), true);
    assert.equal(bcryptVerify(hash, `${password}x`), false);
  }
  const h = bcryptHash('secret');
  assert.match(h, /^\$2b\$08\$[./A-Za-z0-9]{53}$/);
  assert.equal(bcryptVerify(h, 'secret'), true);
  assert.notEqual(bcryptHash('secret'), h, 'a fresh salt each time');
  assert.throws(() => bcryptHash('x', 3), /cost must be an integer from 4 to 16/);
  assert.throws(() => bcryptHash('x'.repeat(72)), /at most 71 bytes/);
  assert.equal(bcryptVerify('$7$1000$abc$def', 'x'), false, 'not a bcrypt hash');
});
