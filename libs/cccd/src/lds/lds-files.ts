// LDS file identifiers, short EF identifiers and outer tags (ICAO 9303-10 §4.6, Table 38).
export interface LdsFile {
  name: string;
  fid: number;
  tag: number;
  /** Data group number, or undefined for EF.COM / EF.SOD. */
  dg?: number;
}

export const EF_CARD_ACCESS = 0x011c;

export const LDS_FILES = {
  COM: { name: 'EF.COM', fid: 0x011e, tag: 0x60 },
  SOD: { name: 'EF.SOD', fid: 0x011d, tag: 0x77 },
  DG1: { name: 'DG1', fid: 0x0101, tag: 0x61, dg: 1 },
  DG2: { name: 'DG2', fid: 0x0102, tag: 0x75, dg: 2 },
  DG13: { name: 'DG13', fid: 0x010d, tag: 0x6d, dg: 13 },
  DG14: { name: 'DG14', fid: 0x010e, tag: 0x6e, dg: 14 },
  DG15: { name: 'DG15', fid: 0x010f, tag: 0x6f, dg: 15 },
} as const satisfies Record<string, LdsFile>;

/** DG number → outer tag, for every data group (EF.COM lists tags, the SOD lists numbers). */
export const DG_TAGS: Readonly<Record<number, number>> = {
  1: 0x61,
  2: 0x75,
  3: 0x63,
  4: 0x76,
  5: 0x65,
  6: 0x66,
  7: 0x67,
  8: 0x68,
  9: 0x69,
  10: 0x6a,
  11: 0x6b,
  12: 0x6c,
  13: 0x6d,
  14: 0x6e,
  15: 0x6f,
  16: 0x70,
};

export function dgFid(dg: number): number {
  return 0x0100 + dg;
}
