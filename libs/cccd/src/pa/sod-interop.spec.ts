import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCsca, createDocumentSigner, ldsSecurityObject, signCms } from '../emulator/test-pki.js';
import { OID } from '../lds/oids.js';
import { wrapSod } from '../lds/sod.js';
import { concat, decodeTlv, tlv } from '../tlv/ber-tlv.js';
import { verifyPassive } from './passive-auth.js';
import { CscaTrustStore } from './trust-store.js';

const indefinite = (tag: number, parts: Uint8Array[]) => concat(Uint8Array.of(tag, 0x80), ...parts, Uint8Array.of(0, 0));

/**
 * Re-encodes a DER ContentInfo(SignedData) the way some issuers write EF.SOD: every CMS container with
 * an indefinite length, the eContent as a constructed OCTET STRING in two chunks, the signed attributes
 * in an indefinite [0]. The signed bytes (eContent, DER attributes, certificates) are unchanged.
 */
function asBerIndefinite(der: Uint8Array): Uint8Array {
  const ci = decodeTlv(der);
  const sd = ci.children[1]!.children[0]!;
  const [version, digestAlgorithms, encap, ...rest] = sd.children;
  const eContent = encap!.children[1]!.children[0]!.value;
  const half = Math.floor(eContent.length / 2);
  const chunked = indefinite(0x24, [tlv(0x04, eContent.subarray(0, half)), tlv(0x04, eContent.subarray(half))]);
  const encapBer = indefinite(0x30, [encap!.children[0]!.raw, indefinite(0xa0, [chunked])]);
  const restBer = rest.map((t) => {
    if (t.tag === 0x31)
      return indefinite(
        0x31,
        t.children.map((si) =>
          indefinite(
            0x30,
            si.children.map((c) =>
              c.tag === 0xa0
                ? indefinite(
                    0xa0,
                    c.children.map((a) => a.raw),
                  )
                : c.raw,
            ),
          ),
        ),
      );
    if (t.tag === 0xa0)
      return indefinite(
        0xa0,
        t.children.map((c) => c.raw),
      );
    return t.raw;
  });
  return indefinite(0x30, [
    ci.children[0]!.raw,
    indefinite(0xa0, [indefinite(0x30, [version!.raw, digestAlgorithms!.raw, encapBer, ...restBer])]),
  ]);
}

test(
  'passive authentication accepts SODs as issuers write them (BER indefinite lengths, eContentType id-data) without weakening a check',
  { timeout: 60_000 },
  async () => {
    const csca = await createCsca();
    const ds = await createDocumentSigner(csca);
    const trustStore = new CscaTrustStore().add(csca.cert);
    const dataGroups = new Map<number, Uint8Array>([
      [1, tlv(0x61, tlv(0x5f1f, new TextEncoder().encode('IDVNM0790123456<<<<<<<<<<<<<<<')))],
      [2, tlv(0x75, new Uint8Array(300).fill(7))],
    ]);
    const lds = ldsSecurityObject(dataGroups);
    const verify = (sod: Uint8Array, dgs: ReadonlyMap<number, Uint8Array> = dataGroups) => verifyPassive(sod, dgs, { trustStore });

    const der = wrapSod(signCms(OID.ldsSecurityObject, lds, ds));
    assert.equal(verify(der).genuine, true, 'the DER reference document');

    const ber = wrapSod(asBerIndefinite(signCms(OID.ldsSecurityObject, lds, ds)));
    assert.ok(ber.includes(0x80), 'built with indefinite lengths');
    const berResult = verify(ber);
    assert.deepEqual(berResult.failures, []);
    assert.equal(berResult.genuine, true, 'BER indefinite lengths');

    const idData = wrapSod(signCms(OID.idData, lds, ds));
    const idDataResult = verify(idData);
    assert.deepEqual(idDataResult.failures, []);
    assert.equal(idDataResult.genuine, true, 'eContentType id-data');
    assert.equal(verify(wrapSod(asBerIndefinite(signCms(OID.idData, lds, ds)))).genuine, true, 'both at once');

    // The checks stand: altered data, another content type, a truncated indefinite length, another signer.
    const altered = new Map(dataGroups).set(2, tlv(0x75, new Uint8Array(300).fill(8)));
    assert.equal(verify(ber, altered).checks.dataGroupHashes['2'], 'mismatch');
    assert.equal(verify(ber, altered).genuine, false);
    const digested = verify(wrapSod(signCms('1.2.840.113549.1.7.5', lds, ds)));
    assert.equal(digested.checks.sodParsed, false, 'a content type other than the LDS object or id-data is refused');
    const cms = asBerIndefinite(signCms(OID.ldsSecurityObject, lds, ds));
    assert.equal(
      verify(wrapSod(cms.subarray(0, cms.length - 2))).checks.sodParsed,
      false,
      'an indefinite length without its end-of-contents is refused',
    );
    const stranger = await createDocumentSigner(await createCsca({ name: 'C=VN, O=Other Authority, CN=Other CSCA' }));
    assert.equal(verify(wrapSod(asBerIndefinite(signCms(OID.idData, lds, stranger)))).genuine, false, 'a signer outside the trust store');
  },
);
