import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeTlv, decodeTlvList, peekTlvTotalLength, tlv, concat } from './ber-tlv.js';
import { CccdError, TlvError } from '../errors.js';
import { fromHex } from '../sm/apdu.js';
import { parseDg1 } from '../lds/dg1.js';
import { parseDg2 } from '../lds/dg2-face.js';
import { parseDg13 } from '../lds/dg13-vn.js';
import { parseEfCom } from '../lds/ef-com.js';
import { parseSod } from '../lds/sod.js';
import { parseCardAccess } from '../lds/security-infos.js';

test('decodes nested TLVs with multi-byte tags and long lengths', () => {
  const inner = tlv(0x5f1f, new Uint8Array(300).fill(0x41));
  const t = decodeTlv(tlv(0x61, inner));
  assert.equal(t.tag, 0x61);
  assert.equal(t.children[0]!.tag, 0x5f1f);
  assert.equal(t.children[0]!.value.length, 300);
  assert.equal(t.children[0]!.headerLength, 5);
  assert.equal(peekTlvTotalLength(fromHex('77820F00')), 0x0f00 + 4);
});

test('rejects truncation, lengths past the buffer, indefinite and absurd lengths, trailing bytes', () => {
  const cases: [string, RegExp][] = [
    ['61', /missing length/],
    ['6105414141', /runs past the end/],
    ['6180', /indefinite/],
    ['618500000000010000', /length field of 5 bytes/],
    ['6184FFFFFFFF', /exceeds limit/],
    ['5F', /truncated tag/],
    ['5FFFFFFF0100', /tag too long/],
    ['0400AA', /trailing/],
    ['00', /invalid tag/],
  ];
  for (const [h, re] of cases)
    assert.throws(
      () => decodeTlv(fromHex(h)),
      (e: unknown) => e instanceof TlvError && re.test(e.message),
      h,
    );
});

test('rejects excessive nesting instead of recursing without bound', () => {
  let v: Uint8Array = tlv(0x04, Uint8Array.of(1));
  for (let i = 0; i < 100; i++) v = tlv(0x30, v);
  assert.throws(() => decodeTlv(v), /nesting deeper/);
  let ok: Uint8Array = tlv(0x04, Uint8Array.of(1));
  for (let i = 0; i < 10; i++) ok = tlv(0x30, ok);
  assert.doesNotThrow(() => decodeTlv(ok));
});

test('rejects pathological fan-out', () => {
  const many = concat(...Array.from({ length: 5000 }, () => Uint8Array.of(0x05, 0x00)));
  assert.throws(() => decodeTlv(tlv(0x30, many)), /more than 4096 elements/);
});

const arbTree: fc.Arbitrary<Uint8Array> = fc.letrec<{ node: Uint8Array }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom(0x04, 0x0c, 0x13, 0x5f1f, 0x80, 0x87), fc.uint8Array({ maxLength: 300 })).map(([t, v]) => tlv(t, v)),
    fc.tuple(fc.constantFrom(0x30, 0x31, 0x61, 0x7f61, 0xa0), fc.array(tie('node'), { maxLength: 4 })).map(([t, kids]) => tlv(t, ...kids)),
  ),
})).node;

test('property: encode → decode round-trips and re-encodes to identical bytes', () => {
  const reencode = (t: ReturnType<typeof decodeTlv>): Uint8Array =>
    t.constructed ? tlv(t.tag, ...t.children.map(reencode)) : tlv(t.tag, t.value);
  fc.assert(
    fc.property(arbTree, (bytes) => {
      assert.deepEqual(reencode(decodeTlv(bytes)), bytes);
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('fuzz: random and mutated bytes only ever produce typed errors (parser and every LDS parser)', () => {
  const parsers = [decodeTlv, decodeTlvList, parseDg1, parseDg2, parseDg13, parseEfCom, parseSod, parseCardAccess];
  const mutated = fc.tuple(arbTree, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat({ max: 20 })).map(([b, pos, val, cut]) => {
    const m = Uint8Array.from(b);
    if (m.length) m[pos % m.length] = val;
    return m.subarray(0, Math.max(0, m.length - cut));
  });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), mutated), (bytes) => {
      for (const p of parsers) {
        try {
          p(bytes);
        } catch (e) {
          if (!(e instanceof CccdError))
            throw new Error(`${p.name} threw untyped ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
        }
      }
    }),
    { numRuns: 2000, seed: 7 },
  );
});
