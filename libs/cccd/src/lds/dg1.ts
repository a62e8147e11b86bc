// DG1: the MRZ (tag 61 → 5F1F).
import { CccdError } from '../errors.js';
import { decodeTlv, requireChild, tlv } from '../tlv/ber-tlv.js';
import { parseTd1, type Td1 } from './mrz.js';

export function parseDg1(bytes: Uint8Array): Td1 {
  const t = decodeTlv(bytes);
  if (t.tag !== 0x61) throw new CccdError('DG_MALFORMED', 'DG1 does not start with tag 61');
  return parseTd1(Buffer.from(requireChild(t, 0x5f1f, 'DG1').value).toString('latin1'));
}

export function buildDg1(mrz: string): Uint8Array {
  return tlv(0x61, tlv(0x5f1f, new TextEncoder().encode(mrz)));
}
