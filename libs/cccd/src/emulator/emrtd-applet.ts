// Card side of an ICAO 9303 eMRTD application as on a Vietnamese CCCD: SELECT, READ BINARY (even and
// odd INS, SFI), BAC, PACE-GM (ECDH, AES), secure messaging and Active Authentication. Access rules
// follow the real chip: data groups are readable only under secure messaging, any SM error or plain
// command ends the session.
import { constants, createHash, privateEncrypt, randomBytes, sign } from 'node:crypto';
import { aesCbcEncrypt } from '../crypto/aes.js';
import { retailMac, tdesDecrypt, tdesEncrypt } from '../crypto/des.js';
import { kdf } from '../crypto/kdf.js';
import { pad } from '../crypto/padding.js';
import {
  addPoints,
  bigIntToBytes,
  bytesToBigInt,
  decodePoint,
  encodePoint,
  multiply,
  randomScalar,
  type Point,
} from '../crypto/ec-curve.js';
import { bacKeys } from '../access/bac.js';
import { authToken, pacePasswordBytes, type PacePassword } from '../access/pace.js';
import { PACE_CIPHER_BY_OID } from '../lds/oids.js';
import { EF_CARD_ACCESS } from '../lds/lds-files.js';
import { decodeOid } from '../tlv/asn1.js';
import { concat, decodeTlv, decodeTlvList, tlv } from '../tlv/ber-tlv.js';
import { decodeCommand, encodeResponse, type CommandApdu, type ResponseApdu } from '../sm/apdu.js';
import { SecureMessaging } from '../sm/secure-messaging.js';
import { aesCipher, tdesCipher } from '../sm/sm-cipher.js';
import { EMRTD_AID } from '../reader/card-session.js';
import type { TestCard } from './test-card.js';

export interface AppletOptions {
  /** Accept extended-length APDUs (CCCD chips do). */
  extendedLength?: boolean;
}

interface PaceState {
  oid: string;
  password: PacePassword;
  step: number;
  s?: bigint;
  gMapped?: Point;
  pkEphIfd?: Uint8Array;
  pkEphIc?: Uint8Array;
  ksEnc?: Uint8Array;
  ksMac?: Uint8Array;
}

const SW = {
  OK: 0x9000,
  EOF: 0x6282,
  AUTH_FAILED: 0x6300,
  WRONG_LENGTH: 0x6700,
  SECURITY: 0x6982,
  CONDITIONS: 0x6985,
  SM_MISSING: 0x6987,
  SM_INCORRECT: 0x6988,
  WRONG_DATA: 0x6a80,
  NOT_FOUND: 0x6a82,
  WRONG_P1P2: 0x6a86,
  OFFSET: 0x6b00,
  INS: 0x6d00,
} as const;

const ok = (data: Uint8Array = new Uint8Array(0)): ResponseApdu => ({ data, sw: SW.OK });
const err = (sw: number): ResponseApdu => ({ data: new Uint8Array(0), sw });

export class EmrtdApplet {
  private inApp = false;
  private currentEf: { fid: number; data: Uint8Array } | undefined;
  private sm: SecureMessaging | undefined;
  private bacChallenge: Uint8Array | undefined;
  private pace: PaceState | undefined;
  /** Test hook: corrupt the MAC of the next protected response. */
  corruptNextResponseMac = false;
  /** Number of APDUs processed since power-on. */
  apduCount = 0;
  readonly options: Required<AppletOptions>;

  constructor(
    readonly card: TestCard,
    options: AppletOptions = {},
  ) {
    this.options = { extendedLength: options.extendedLength ?? true };
  }

  get atr(): Uint8Array {
    // ISO 14443-4 style ATR as PC/SC synthesizes for contactless cards (historical bytes "CCCD").
    return Uint8Array.from([0x3b, 0x84, 0x80, 0x01, 0x43, 0x43, 0x43, 0x44, 0x0b]);
  }

  reset(): void {
    this.inApp = false;
    this.currentEf = undefined;
    this.sm = undefined;
    this.bacChallenge = undefined;
    this.pace = undefined;
    this.apduCount = 0;
  }

  process(apdu: Uint8Array): Uint8Array {
    this.apduCount++;
    let cmd: CommandApdu & { extended: boolean };
    try {
      cmd = decodeCommand(apdu);
    } catch {
      return encodeResponse(err(SW.WRONG_LENGTH));
    }
    if (cmd.extended && !this.options.extendedLength) return encodeResponse(err(SW.WRONG_LENGTH));
    if ((cmd.cla & 0x0c) === 0x0c) {
      if (!this.sm) return encodeResponse(err(SW.SM_MISSING));
      let inner: CommandApdu;
      try {
        inner = this.sm.unwrapCommand(cmd);
      } catch {
        this.endSession();
        return encodeResponse(err(SW.SM_INCORRECT));
      }
      const resp = this.sm.wrapResponse(this.handle(inner, true), inner.ins);
      if (this.corruptNextResponseMac) {
        this.corruptNextResponseMac = false;
        resp.data[resp.data.length - 1]! ^= 0xff;
      }
      return encodeResponse(resp);
    }
    if (this.sm) this.endSession(); // a plain command terminates secure messaging
    return encodeResponse(this.handle(cmd, false));
  }

  private endSession(): void {
    this.sm = undefined;
    this.pace = undefined;
    this.bacChallenge = undefined;
  }

  private handle(c: CommandApdu, isProtected: boolean): ResponseApdu {
    switch (c.ins) {
      case 0xa4:
        return this.select(c);
      case 0xb0:
      case 0xb1:
        return this.readBinary(c, isProtected);
      case 0x84:
        return this.getChallenge(c);
      case 0x82:
        return this.bacAuthenticate(c);
      case 0x22:
        return this.mseSetAt(c);
      case 0x86:
        return this.generalAuthenticate(c);
      case 0x88:
        return this.internalAuthenticate(c, isProtected);
      default:
        return err(SW.INS);
    }
  }

  private fileById(fid: number): Uint8Array | undefined {
    if (!this.inApp) return fid === EF_CARD_ACCESS ? this.card.cardAccess : undefined;
    return this.card.files.get(fid);
  }

  private select(c: CommandApdu): ResponseApdu {
    const d = c.data ?? new Uint8Array(0);
    if (c.p1 === 0x04) {
      if (d.length === EMRTD_AID.length && d.every((b, i) => b === EMRTD_AID[i])) {
        this.inApp = true;
        this.currentEf = undefined;
        return ok();
      }
      return err(SW.NOT_FOUND);
    }
    if (d.length !== 2) return err(SW.WRONG_LENGTH);
    const fid = (d[0]! << 8) | d[1]!;
    if (c.p1 === 0x00 && fid === 0x3f00) {
      this.inApp = false;
      this.currentEf = undefined;
      return ok();
    }
    if (c.p1 !== 0x02 && c.p1 !== 0x00) return err(SW.WRONG_P1P2);
    const data = this.fileById(fid);
    if (!data) return err(SW.NOT_FOUND);
    this.currentEf = { fid, data };
    return ok();
  }

  private readBinary(c: CommandApdu, isProtected: boolean): ResponseApdu {
    let offset: number;
    if (c.ins === 0xb1) {
      try {
        const t = decodeTlv(c.data ?? new Uint8Array(0));
        if (t.tag !== 0x54 || t.value.length < 1 || t.value.length > 3) return err(SW.WRONG_DATA);
        offset = t.value.reduce((a, b) => a * 256 + b, 0);
      } catch {
        return err(SW.WRONG_DATA);
      }
    } else if (c.p1 & 0x80) {
      const data = this.fileById(0x0100 | (c.p1 & 0x1f));
      if (!data) return err(SW.NOT_FOUND);
      this.currentEf = { fid: 0x0100 | (c.p1 & 0x1f), data };
      offset = c.p2;
    } else offset = ((c.p1 & 0x7f) << 8) | c.p2;
    const ef = this.currentEf;
    if (!ef) return err(SW.CONDITIONS);
    if (ef.fid !== EF_CARD_ACCESS && !isProtected) return err(SW.SECURITY);
    if (offset > ef.data.length) return err(SW.OFFSET);
    const le = c.le ?? 256;
    let chunk = ef.data.subarray(offset, offset + le);
    if (c.ins === 0xb1) chunk = tlv(0x53, ef.data.subarray(offset, offset + Math.max(0, le - 4)));
    return { data: Uint8Array.from(chunk), sw: offset + le > ef.data.length && c.ins === 0xb0 ? SW.EOF : SW.OK };
  }

  private getChallenge(c: CommandApdu): ResponseApdu {
    if (c.le !== 8) return err(SW.WRONG_LENGTH);
    this.bacChallenge = new Uint8Array(randomBytes(8));
    return ok(this.bacChallenge);
  }

  private bacAuthenticate(c: CommandApdu): ResponseApdu {
    const rndIc = this.bacChallenge;
    this.bacChallenge = undefined;
    const d = c.data;
    if (!rndIc || !this.inApp) return err(SW.CONDITIONS);
    if (!d || d.length !== 40) return err(SW.WRONG_LENGTH);
    const { kEnc, kMac } = bacKeys(this.card.mrzKey);
    const mac = retailMac(kMac, pad(d.subarray(0, 32), 8));
    if (!mac.every((b, i) => b === d[32 + i])) return err(SW.AUTH_FAILED);
    const s = tdesDecrypt(kEnc, d.subarray(0, 32));
    if (!s.subarray(8, 16).every((b, i) => b === rndIc[i])) return err(SW.AUTH_FAILED);
    const rndIfd = s.subarray(0, 8);
    const kIfd = s.subarray(16, 32);
    const kIc = new Uint8Array(randomBytes(16));
    const eIc = tdesEncrypt(kEnc, concat(rndIc, rndIfd, kIc));
    const seed = kIfd.map((b, i) => b ^ kIc[i]!);
    this.sm = new SecureMessaging(tdesCipher(kdf(seed, 1, '3DES'), kdf(seed, 2, '3DES')), concat(rndIc.subarray(4), rndIfd.subarray(4)));
    return ok(concat(eIc, retailMac(kMac, pad(eIc, 8))));
  }

  private mseSetAt(c: CommandApdu): ResponseApdu {
    if (c.p1 !== 0xc1 || c.p2 !== 0xa4) return err(SW.WRONG_P1P2);
    let dos;
    try {
      dos = decodeTlvList(c.data ?? new Uint8Array(0));
    } catch {
      return err(SW.WRONG_DATA);
    }
    const oidDo = dos.find((d) => d.tag === 0x80);
    const ref = dos.find((d) => d.tag === 0x83)?.value[0];
    const param = dos.find((d) => d.tag === 0x84)?.value[0];
    const oid = oidDo ? decodeOid(oidDo.value) : '';
    if (PACE_CIPHER_BY_OID[oid] !== 'AES-128' || (param !== undefined && param !== this.card.paceCurve.paceParameterId))
      return err(SW.WRONG_DATA);
    let password: PacePassword;
    if (ref === 0x02) password = { kind: 'CAN', can: this.card.can };
    else if (ref === 0x01) password = { kind: 'MRZ', mrz: this.card.mrzKey };
    else return err(SW.WRONG_DATA);
    this.sm = undefined;
    this.pace = { oid, password, step: 0 };
    return ok();
  }

  private generalAuthenticate(c: CommandApdu): ResponseApdu {
    const p = this.pace;
    if (!p) return err(SW.CONDITIONS);
    const curve = this.card.paceCurve;
    let input: Uint8Array;
    try {
      const t = decodeTlv(c.data ?? new Uint8Array(0));
      if (t.tag !== 0x7c) return err(SW.WRONG_DATA);
      input = t.children[0]?.value ?? new Uint8Array(0);
    } catch {
      return err(SW.WRONG_DATA);
    }
    const last = (c.cla & 0x10) === 0;
    try {
      switch (p.step) {
        case 0: {
          const s = new Uint8Array(randomBytes(16));
          p.s = bytesToBigInt(s);
          p.step = 1;
          return ok(tlv(0x7c, tlv(0x80, aesCbcEncrypt(kdf(pacePasswordBytes(p.password), 3, 'AES-128'), s))));
        }
        case 1: {
          const pkMapIfd = decodePoint(curve, input);
          const sk = randomScalar(curve);
          const H = multiply(curve, sk, pkMapIfd);
          p.gMapped = addPoints(curve, multiply(curve, p.s!, curve.g), H);
          p.step = 2;
          return ok(tlv(0x7c, tlv(0x82, encodePoint(curve, multiply(curve, sk, curve.g)))));
        }
        case 2: {
          const pkIfd = decodePoint(curve, input);
          const sk = randomScalar(curve);
          p.pkEphIc = encodePoint(curve, multiply(curve, sk, p.gMapped!));
          p.pkEphIfd = input;
          if (p.pkEphIc.every((b, i) => b === input[i])) return err(SW.WRONG_DATA);
          const shared = bigIntToBytes(multiply(curve, sk, pkIfd).x, curve.size);
          p.ksEnc = kdf(shared, 1, 'AES-128');
          p.ksMac = kdf(shared, 2, 'AES-128');
          p.step = 3;
          return ok(tlv(0x7c, tlv(0x84, p.pkEphIc)));
        }
        case 3: {
          if (!last) return err(SW.CONDITIONS);
          this.pace = undefined;
          const expected = authToken(p.ksMac!, p.oid, p.pkEphIc!);
          if (input.length !== 8 || !input.every((b, i) => b === expected[i])) return err(SW.AUTH_FAILED);
          this.sm = new SecureMessaging(aesCipher(p.ksEnc!, p.ksMac!), new Uint8Array(16));
          return ok(tlv(0x7c, tlv(0x86, authToken(p.ksMac!, p.oid, p.pkEphIfd!))));
        }
        default:
          return err(SW.CONDITIONS);
      }
    } catch {
      this.pace = undefined;
      return err(SW.WRONG_DATA);
    }
  }

  private internalAuthenticate(c: CommandApdu, isProtected: boolean): ResponseApdu {
    const key = this.card.aaPrivateKey;
    if (!isProtected) return err(SW.SECURITY);
    if (!key) return err(SW.INS);
    const challenge = c.data;
    if (!challenge || challenge.length !== 8) return err(SW.WRONG_DATA);
    if (key.asymmetricKeyType === 'ec') return ok(new Uint8Array(sign('sha256', challenge, { key, dsaEncoding: 'ieee-p1363' })));
    // RSA: ISO/IEC 9796-2 scheme 1, SHA-1, partial recovery (header 6A, trailer BC).
    const k = (key.asymmetricKeyDetails?.modulusLength ?? 1024) / 8;
    const m1 = new Uint8Array(randomBytes(k - 20 - 2));
    const digest = createHash('sha1').update(concat(m1, challenge)).digest();
    const f = concat(Uint8Array.of(0x6a), m1, digest, Uint8Array.of(0xbc));
    return ok(new Uint8Array(privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, f)));
  }
}
