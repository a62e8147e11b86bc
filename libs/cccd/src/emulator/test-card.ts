// Builds a complete Vietnamese CCCD test card: person data, MRZ, DG2 from a real face photo, DG13,
// DG14/DG15 with an Active Authentication key, EF.COM, EF.CardAccess and a SOD signed by a test DS.
import { readFileSync } from 'node:fs';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import sharp from 'sharp';
import { buildDg1 } from '../lds/dg1.js';
import { buildDg2 } from '../lds/dg2-face.js';
import { buildDg13, type Dg13Input } from '../lds/dg13-vn.js';
import { buildDg15 } from '../lds/dg15.js';
import { buildEfCom } from '../lds/ef-com.js';
import { buildTd1 } from '../lds/mrz.js';
import { OID } from '../lds/oids.js';
import { encodeAaInfo, encodePaceInfo, encodeSecurityInfos } from '../lds/security-infos.js';
import { wrapSod } from '../lds/sod.js';
import { tlv } from '../tlv/ber-tlv.js';
import { BRAINPOOL_P256R1, NIST_P256, type Curve } from '../crypto/ec-curve.js';
import type { MrzKey } from '../lds/mrz.js';
import { createCsca, createDocumentSigner, ldsSecurityObject, signCms, type TestIssuer } from './test-pki.js';
import { sampleFacePath } from './test-faces.js';

export interface TestCard {
  /** 12-digit CCCD number; CAN = last 6 digits, BAC document number = last 9. */
  idNumber: string;
  can: string;
  mrzKey: MrzKey;
  person: Dg13Input;
  paceCurve: Curve;
  /** EF.CardAccess (in the master file). */
  cardAccess: Uint8Array;
  /** eMRTD application files by FID (EF.COM, EF.SOD, DGs). */
  files: Map<number, Uint8Array>;
  dataGroups: Map<number, Uint8Array>;
  aaPrivateKey?: KeyObject;
  aaKind: 'ecdsa' | 'rsa' | 'none';
  faceJpeg: Uint8Array;
  csca: TestIssuer;
  documentSigner: TestIssuer;
}

export interface TestCardOptions {
  idNumber?: string;
  person?: Partial<Dg13Input>;
  paceCurve?: 'brainpoolP256r1' | 'P-256';
  aa?: 'ecdsa' | 'rsa' | 'none';
  facePath?: string;
  /** Longest side of the DG2 photo; real CCCD photos are small (≈ 480 px). */
  faceSize?: number;
  csca?: TestIssuer;
  documentSigner?: TestIssuer;
  dsNotBefore?: Date;
  dsNotAfter?: Date;
}

export const DEFAULT_PERSON: Dg13Input = {
  idNumber: '079203012345',
  fullName: 'Nguyễn Thị Thanh Hương',
  dateOfBirth: '15/08/2003',
  sex: 'Nữ',
  nationality: 'Việt Nam',
  ethnicity: 'Kinh',
  religion: 'Không',
  placeOfOrigin: 'Xã Đông Hưng, Huyện Đông Hưng, Thái Bình',
  placeOfResidence: '12 Đường Lê Lợi, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh',
  identifyingMarks: 'Nốt ruồi C:2cm trên trước đầu lông mày phải',
  dateOfIssue: '10/05/2021',
  dateOfExpiry: '15/08/2028',
  fatherName: 'Nguyễn Văn Đức',
  motherName: 'Trần Thị Ngọc Ánh',
};

function ddmmyyyyToYymmdd(s: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  if (!m) throw new Error(`date ${s} is not dd/mm/yyyy`);
  return m[3]!.slice(2) + m[2] + m[1];
}

export async function createTestCard(opts: TestCardOptions = {}): Promise<TestCard> {
  const idNumber = opts.idNumber ?? opts.person?.idNumber ?? DEFAULT_PERSON.idNumber;
  const person: Dg13Input = { ...DEFAULT_PERSON, ...opts.person, idNumber };
  const [surname, ...given] = person.fullName.split(' ');
  const mrzKey: MrzKey = {
    documentNumber: idNumber.slice(3),
    dateOfBirth: ddmmyyyyToYymmdd(person.dateOfBirth),
    dateOfExpiry: ddmmyyyyToYymmdd(person.dateOfExpiry),
  };
  const mrz = buildTd1({
    documentNumber: mrzKey.documentNumber,
    personalNumber: idNumber,
    dateOfBirth: mrzKey.dateOfBirth,
    dateOfExpiry: mrzKey.dateOfExpiry,
    sex: person.sex === 'Nam' ? 'M' : 'F',
    surname: surname!,
    givenNames: given.join(' '),
  });

  const size = opts.faceSize ?? 480;
  const face = await sharp(readFileSync(opts.facePath ?? sampleFacePath()))
    .rotate()
    .resize(size, size, { fit: 'inside' })
    .jpeg({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  const faceJpeg = new Uint8Array(face.data);

  const paceCurve = opts.paceCurve === 'P-256' ? NIST_P256 : BRAINPOOL_P256R1;
  const aaKind = opts.aa ?? 'ecdsa';
  let aaPrivateKey: KeyObject | undefined;
  let aaPublicKey: KeyObject | undefined;
  if (aaKind === 'ecdsa') ({ privateKey: aaPrivateKey, publicKey: aaPublicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
  if (aaKind === 'rsa') ({ privateKey: aaPrivateKey, publicKey: aaPublicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 }));

  const paceInfo = encodePaceInfo({ protocol: OID.paceEcdhGmAes128, version: 2, parameterId: paceCurve.paceParameterId });
  const cardAccess = encodeSecurityInfos(paceInfo);
  const aaInfo = aaKind === 'ecdsa' ? [encodeAaInfo(OID.ecdsaWithSha256)] : [];
  const dg14 = tlv(0x6e, encodeSecurityInfos(paceInfo, ...aaInfo));

  const dataGroups = new Map<number, Uint8Array>([
    [1, buildDg1(mrz)],
    [2, buildDg2(faceJpeg, face.info.width, face.info.height)],
    [13, buildDg13(person)],
    [14, dg14],
    ...(aaPublicKey ? ([[15, buildDg15(aaPublicKey)]] as [number, Uint8Array][]) : []),
  ]);

  const csca = opts.csca ?? (await createCsca());
  const documentSigner =
    opts.documentSigner ??
    (await createDocumentSigner(csca, {
      ...(opts.dsNotBefore ? { notBefore: opts.dsNotBefore } : {}),
      ...(opts.dsNotAfter ? { notAfter: opts.dsNotAfter } : {}),
    }));
  const sod = wrapSod(signCms(OID.ldsSecurityObject, ldsSecurityObject(dataGroups), documentSigner));

  const files = new Map<number, Uint8Array>([
    [0x011e, buildEfCom([...dataGroups.keys()])],
    [0x011d, sod],
    ...[...dataGroups].map(([n, b]) => [0x0100 + n, b] as [number, Uint8Array]),
  ]);
  return {
    idNumber,
    can: idNumber.slice(-6),
    mrzKey,
    person,
    paceCurve,
    cardAccess,
    files,
    dataGroups,
    ...(aaPrivateKey ? { aaPrivateKey } : {}),
    aaKind,
    faceJpeg,
    csca,
    documentSigner,
  };
}
