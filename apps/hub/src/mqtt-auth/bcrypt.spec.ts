import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bcryptHash, bcryptVerify } from './bcrypt.js';

test('bcrypt for NATS logins: hashes made by the C library verify, ours are $2b$ with a fresh salt, over-long passwords refused', () => {
  // Produced with the C library's bcrypt (crypt(3)) for these passwords and salts.
  const vectors: [string, string][] = [
    ['', '$2b$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
    ['abc', '$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
    // A generated gate password (43 base64url characters).
    ['Vl1rLAF2Mm8cLQmDk1lT9sqjE2Hc4vZeTgJdQ1MGgK4', '$2b$08$Ro0CUfOqk6cXEKf3dyaM7OlWXVc8j/Uvqs8GFD3BagmbD8hehtwYi'],
    ['Cổng AI', '$2b$05$abcdefghijklmnopqrstuudj10iLrEE5fJDDd1L/8vvKywrJvN03W'],
  ];
  for (const [password, hash] of vectors) {
    assert.equal(bcryptVerify(hash, password), true, `crypt(3) hash of ${JSON.stringify(password)}`);
    assert.equal(bcryptVerify(hash, `${password}x`), false);
  }
  const h = bcryptHash('secret');
  assert.match(h, /^\$2b\$08\$[./A-Za-z0-9]{53}$/);
  assert.equal(bcryptVerify(h, 'secret'), true);
  assert.notEqual(bcryptHash('secret'), h, 'a fresh salt each time');
  assert.throws(() => bcryptHash('x'.repeat(73)), /at most 72 bytes/);
  assert.equal(bcryptVerify('$7$1000$abc$def', 'x'), false, 'not a bcrypt hash');
});
