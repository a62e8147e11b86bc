// EF.COM: LDS version, Unicode version and the list of data-group tags present.
import { CccdError } from '../errors.js';
import { decodeTlv, tlv, requireChild } from '../tlv/ber-tlv.js';
import { DG_TAGS } from './lds-files.js';

export interface EfCom {
  ldsVersion: string;
  unicodeVersion: string;
  dataGroups: number[];
}

export function parseEfCom(bytes: Uint8Array): EfCom {
  const t = decodeTlv(bytes);
  if (t.tag !== 0x60) throw new CccdError('DG_MALFORMED', 'EF.COM does not start with tag 60');
  const ascii = (b: Uint8Array) => Buffer.from(b).toString('latin1');
  const tags = [...requireChild(t, 0x5c, 'EF.COM').value];
  const byTag = new Map(Object.entries(DG_TAGS).map(([dg, tag]) => [tag, Number(dg)]));
  return {
    ldsVersion: ascii(requireChild(t, 0x5f01, 'EF.COM').value),
    unicodeVersion: ascii(requireChild(t, 0x5f36, 'EF.COM').value),
    dataGroups: tags.map((x) => byTag.get(x)).filter((x): x is number => x !== undefined),
  };
}

export function buildEfCom(dataGroups: number[]): Uint8Array {
  const enc = (s: string) => new TextEncoder().encode(s);
  return tlv(0x60, tlv(0x5f01, enc('0107')), tlv(0x5f36, enc('040000')), tlv(0x5c, Uint8Array.from(dataGroups.map((d) => DG_TAGS[d]!))));
}
