import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustParity, retailMac, sha1, tdesEncrypt } from '../crypto/des.js';
import { aesCbcDecrypt, aesCmac } from '../crypto/aes.js';
import { pad } from '../crypto/padding.js';
import { kdf } from '../crypto/kdf.js';
import { encodeCommand, fromHex, hex, parseResponse, decodeCommand } from './apdu.js';
import { SecureMessaging } from './secure-messaging.js';
import { aesCipher, tdesCipher } from './sm-cipher.js';
import { BadMacError } from '../errors.js';

// Known-answer values from ICAO Doc 9303-11 Appendix D (BAC) and G.1 (PACE ECDH-GM).
test('BAC key derivation matches ICAO 9303-11 App. D.2', () => {
  const seed = sha1(new TextEncoder().encode('L898902C<369080619406236')).subarray(0, 16);
  assert.equal(hex(seed), '239AB9CB282DAF66231DC5A4DF6BFBAE');
  assert.equal(hex(kdf(seed, 1, '3DES')), 'AB94FDECF2674FDFB9B391F85D7F76F2');
  assert.equal(hex(kdf(seed, 2, '3DES')), '7962D9ECE03D1ACD4C76089DCE131543');
  assert.equal(hex(adjustParity(fromHex('AB94FCEDF2664EDF'))), 'AB94FDECF2674FDF');
});

test('3DES encryption and retail MAC match App. D.3', () => {
  const kEnc = fromHex('AB94FDECF2674FDFB9B391F85D7F76F2');
  const kMac = fromHex('7962D9ECE03D1ACD4C76089DCE131543');
  const e = tdesEncrypt(kEnc, fromHex('781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B'));
  assert.equal(hex(e), '72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2');
  assert.equal(hex(retailMac(kMac, pad(e, 8))), '5F1448EEA8AD90A7');
  assert.equal(hex(kdf(fromHex('0036D272F5C350ACAC50C3F572D23600'), 1, '3DES')), '979EC13B1CBFE9DCD01AB0FED307EAE5');
  assert.equal(hex(kdf(fromHex('0036D272F5C350ACAC50C3F572D23600'), 2, '3DES')), 'F1CB1F1FB5ADF208806B89DC579DC1F8');
});

test('AES-CMAC matches RFC 4493 vectors', () => {
  const k = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  assert.equal(hex(aesCmac(k, new Uint8Array(0))), 'BB1D6929E95937287FA37D129B756746');
  assert.equal(hex(aesCmac(k, fromHex('6bc1bee22e409f96e93d7e117393172a'))), '070A16B46B4D4144F79BDD9DD04A287C');
  assert.equal(
    hex(aesCmac(k, fromHex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411'))),
    'DFA66747DE9AE63030CA32611497C827',
  );
});

test('PACE KDF and nonce decryption match App. G.1', () => {
  const kpi = kdf(fromHex('7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD'), 3, 'AES-128');
  assert.equal(hex(kpi), '89DED1B26624EC1E634C1989302849DD');
  assert.equal(hex(aesCbcDecrypt(kpi, fromHex('95A3A016522EE98D01E76CB6B98B42C3'))), '3F00C4D39D153F2B2A214A078D899B22');
  const shared = fromHex('28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925');
  assert.equal(hex(kdf(shared, 1, 'AES-128')), 'F5F0E35C0D7161EE6724EE513A0D9A7F');
  assert.equal(hex(kdf(shared, 2, 'AES-128')), 'FE251C7858B356B24514B3BD5F4297D1');
});

test('3DES secure messaging reproduces App. D.4 byte for byte, SSC stepping exactly', () => {
  const sm = new SecureMessaging(
    tdesCipher(fromHex('979EC13B1CBFE9DCD01AB0FED307EAE5'), fromHex('F1CB1F1FB5ADF208806B89DC579DC1F8')),
    fromHex('887022120C06C226'),
  );
  const sel = sm.wrapCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('011E') });
  assert.equal(hex(encodeCommand(sel)), '0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800');
  assert.equal(hex(sm.sendSequenceCounter), '887022120C06C227');
  const r0 = sm.unwrapResponse(parseResponse(fromHex('990290008E08FA855A5D4C50A8ED9000')), 'SELECT');
  assert.equal(r0.sw, 0x9000);
  assert.equal(r0.data.length, 0);
  const rb = sm.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 });
  assert.equal(hex(encodeCommand(rb)), '0CB000000D9701048E08ED6705417E96BA5500');
  const r1 = sm.unwrapResponse(parseResponse(fromHex('8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000')), 'READ');
  assert.equal(hex(r1.data), '60145F01');
  const rb2 = sm.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 4, le: 0x12 });
  assert.equal(hex(encodeCommand(rb2)), '0CB000040D9701128E082EA28A70F3C7B53500');
  const r2 = sm.unwrapResponse(
    parseResponse(fromHex('871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000')),
    'READ',
  );
  assert.equal(hex(r2.data), '04303130365F36063034303030305C026175');
  assert.equal(hex(sm.sendSequenceCounter), '887022120C06C22C');
});

test('AES secure messaging after PACE App. G.1 (SSC starts at zero)', () => {
  const sm = new SecureMessaging(
    aesCipher(fromHex('F5F0E35C0D7161EE6724EE513A0D9A7F'), fromHex('FE251C7858B356B24514B3BD5F4297D1')),
    new Uint8Array(16),
  );
  const sel = sm.wrapCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: fromHex('A0000002471001') });
  assert.equal(hex(encodeCommand(sel)), '0CA4040C1D871101752F676B09FAC86A87D632749A49C7CC8E08C18BA1FCE707BD9F00');
  const r = sm.unwrapResponse(parseResponse(fromHex('990290008E08BEA7B381C494A0799000')), 'SELECT');
  assert.equal(r.sw, 0x9000);
});

test('card and terminal roles interoperate, including extended lengths and odd INS', () => {
  for (const [cipher, sscLen] of [
    [aesCipher(new Uint8Array(16).fill(1), new Uint8Array(16).fill(2)), 16],
    [tdesCipher(new Uint8Array(16).fill(3), new Uint8Array(16).fill(4)), 8],
  ] as const) {
    const term = new SecureMessaging(cipher, new Uint8Array(sscLen));
    const card = new SecureMessaging(cipher, new Uint8Array(sscLen));
    const cmds = [
      { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4000 },
      { cla: 0, ins: 0xb1, p1: 0, p2: 0, data: fromHex('54028000'), le: 256 },
      { cla: 0, ins: 0xd6, p1: 0, p2: 0, data: new Uint8Array(300).fill(7) },
    ];
    for (const c of cmds) {
      const wire = decodeCommand(encodeCommand(term.wrapCommand(c)));
      const got = card.unwrapCommand(wire);
      assert.deepEqual(got.data ?? null, c.data ?? null);
      assert.equal(got.le, c.le);
      const payload = new Uint8Array(c.le === 4000 ? 4000 : 10).map((_, i) => i & 0xff);
      const resp = card.wrapResponse({ data: payload, sw: 0x9000 }, c.ins);
      const back = term.unwrapResponse(resp, 'x');
      assert.deepEqual(back.data, payload);
      assert.deepEqual(term.sendSequenceCounter, card.sendSequenceCounter);
    }
  }
});

test('a flipped bit in a protected response is a typed bad-MAC error and aborts the session', () => {
  const c = aesCipher(new Uint8Array(16).fill(9), new Uint8Array(16).fill(8));
  const term = new SecureMessaging(c, new Uint8Array(16));
  const card = new SecureMessaging(c, new Uint8Array(16));
  card.unwrapCommand(term.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 16 }));
  const resp = card.wrapResponse({ data: new Uint8Array(16).fill(5), sw: 0x9000 }, 0xb0);
  const tampered = Uint8Array.from(resp.data);
  tampered[5]! ^= 0x01;
  assert.throws(() => term.unwrapResponse({ data: tampered, sw: 0x9000 }, 'READ BINARY'), BadMacError);
  assert.equal(term.isBroken, true);
  assert.throws(() => term.wrapCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 1 }), /aborted/);
});
