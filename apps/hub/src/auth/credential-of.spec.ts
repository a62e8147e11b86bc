import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialOf } from './access.guard.js';

test('credentials: Bearer carries a JWT or an API key; X-Api-Key carries API keys only (a JWT there is no credential)', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
  assert.equal(credentialOf({ headers: { authorization: `Bearer ${jwt}` } }), jwt);
  assert.equal(credentialOf({ headers: { authorization: 'Bearer cgk_abc' } }), 'cgk_abc');
  assert.equal(credentialOf({ headers: { 'x-api-key': 'cgk_abc' } }), 'cgk_abc');
  assert.equal(credentialOf({ headers: { 'x-api-key': jwt } }), undefined);
  assert.equal(credentialOf({ headers: {} }), undefined);
});
