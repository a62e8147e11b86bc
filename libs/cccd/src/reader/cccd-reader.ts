// High-level read of a Vietnamese CCCD: access (PACE-CAN, or BAC/PACE with the MRZ key), read the
// LDS files, Active Authentication, passive authentication; returns one validated result with
// per-step transfer figures. This is the entry point the gate (edge) calls.
import { z } from 'zod';
import { CardStatusError, CccdError } from '../errors.js';
import { choosePaceSuite, performPace, type PacePassword } from '../access/pace.js';
import { performBac } from '../access/bac.js';
import { parseCardAccess, parseSecurityInfos, type SecurityInfos } from '../lds/security-infos.js';
import { EF_CARD_ACCESS, LDS_FILES } from '../lds/lds-files.js';
import { parseEfCom } from '../lds/ef-com.js';
import { parseDg1 } from '../lds/dg1.js';
import { FaceImageSchema, parseDg2 } from '../lds/dg2-face.js';
import { Dg13Schema, parseDg13 } from '../lds/dg13-vn.js';
import { parseDg15 } from '../lds/dg15.js';
import { MrzKeySchema, Td1Schema } from '../lds/mrz.js';
import { OID } from '../lds/oids.js';
import { decodeTlv } from '../tlv/ber-tlv.js';
import { PassiveAuthResultSchema, verifyPassive } from '../pa/passive-auth.js';
import { ActiveAuthResultSchema, performActiveAuth } from '../pa/active-auth.js';
import type { CscaTrustStore } from '../pa/trust-store.js';
import type { CardTransport } from '../transport/transport.js';
import { StatsRecorder, StepStatsSchema } from './apdu-stats.js';
import { CardSession } from './card-session.js';
import { BRAINPOOL_P256R1 } from '../crypto/ec-curve.js';

export const AccessKeySchema = z.union([
  z.object({ can: z.string().regex(/^\d{6}$/, 'CAN is 6 digits') }),
  z.object({ mrz: MrzKeySchema }),
]);
export type AccessKey = z.infer<typeof AccessKeySchema>;

export const CccdReadResultSchema = z.object({
  accessMethod: z.enum(['PACE-CAN', 'PACE-MRZ', 'BAC']),
  mrz: Td1Schema,
  personal: Dg13Schema,
  face: FaceImageSchema.optional(),
  dataGroupsRead: z.array(z.number().int()),
  passiveAuth: PassiveAuthResultSchema,
  /** Absent when the card has no DG15 (no Active Authentication key). */
  activeAuth: ActiveAuthResultSchema.optional(),
  /** DG1 and DG13 describe the same person (ID number matches). */
  consistent: z.boolean(),
  /** Passive auth passed, Active Authentication passed where available, and DG1/DG13 agree. */
  genuine: z.boolean(),
  steps: z.array(StepStatsSchema),
  totals: z.object({ apdus: z.number(), bytesSent: z.number(), bytesReceived: z.number(), ms: z.number() }),
});
export type CccdReadResult = z.infer<typeof CccdReadResultSchema>;

export interface CccdReaderOptions {
  trustStore: CscaTrustStore;
  expiredDocumentSigner?: 'reject' | 'accept';
  /** Per-APDU timeout. */
  timeoutMs?: number;
  /** Plaintext bytes per READ BINARY (≤ 223 for short APDUs; larger needs extended length). */
  maxReadChunk?: number;
  readFace?: boolean;
  activeAuth?: boolean;
  /** With an MRZ key: 'bac' (default, what CCCD readers use) or 'pace'. */
  mrzMethod?: 'bac' | 'pace';
  now?: () => Date;
}

const DEFAULT_CARD_ACCESS: SecurityInfos = {
  pace: [{ protocol: OID.paceEcdhGmAes128, version: 2, parameterId: BRAINPOOL_P256R1.paceParameterId }],
  protocols: [],
};

export class CccdReader {
  constructor(
    private readonly transport: CardTransport,
    private readonly options: CccdReaderOptions,
  ) {}

  async read(key: AccessKey): Promise<CccdReadResult> {
    const parsedKey = AccessKeySchema.parse(key);
    const stats = new StatsRecorder();
    const t0 = performance.now();
    const session = new CardSession(this.transport, stats, {
      ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
      ...(this.options.maxReadChunk ? { maxReadChunk: this.options.maxReadChunk } : {}),
    });

    const usePace = 'can' in parsedKey || this.options.mrzMethod === 'pace';
    const accessMethod: CccdReadResult['accessMethod'] = 'can' in parsedKey ? 'PACE-CAN' : usePace ? 'PACE-MRZ' : 'BAC';
    await stats.step('access', async () => {
      if (usePace) {
        const password: PacePassword = 'can' in parsedKey ? { kind: 'CAN', can: parsedKey.can } : { kind: 'MRZ', mrz: parsedKey.mrz };
        let infos = DEFAULT_CARD_ACCESS;
        try {
          infos = parseCardAccess(await session.readFile(EF_CARD_ACCESS, 'EF.CardAccess'));
        } catch (e) {
          // Some chips hide EF.CardAccess behind the MF selection state; fall back to the CCCD default suite.
          if (!(e instanceof CardStatusError)) throw e;
        }
        session.startSecureMessaging(await performPace(session, password, choosePaceSuite(infos.pace)));
        await session.selectApplication();
      } else {
        await session.selectApplication();
        session.startSecureMessaging(await performBac(session, (parsedKey as { mrz: z.infer<typeof MrzKeySchema> }).mrz));
      }
    });

    const read = (f: { fid: number; name: string }) => stats.step(`read ${f.name}`, () => session.readFile(f.fid, f.name));
    const com = parseEfCom(await read(LDS_FILES.COM));
    const sod = await read(LDS_FILES.SOD);
    const dgs = new Map<number, Uint8Array>();
    const want = [
      LDS_FILES.DG1,
      ...(this.options.readFace === false ? [] : [LDS_FILES.DG2]),
      LDS_FILES.DG13,
      LDS_FILES.DG14,
      LDS_FILES.DG15,
    ];
    for (const f of want) {
      if (!com.dataGroups.includes(f.dg)) {
        if (f.dg === 1 || f.dg === 13) throw new CccdError('PROTOCOL', `card does not list ${f.name} in EF.COM`);
        continue;
      }
      dgs.set(f.dg, await read(f));
    }

    let activeAuth: CccdReadResult['activeAuth'];
    const dg15 = dgs.get(15);
    if (dg15 && this.options.activeAuth !== false) {
      const dg14 = dgs.get(14);
      const aaAlg = dg14 ? parseSecurityInfos(decodeTlv(dg14).children[0]!).activeAuthSignatureAlgorithm : undefined;
      activeAuth = await stats.step('active authentication', () => performActiveAuth(session, parseDg15(dg15), aaAlg));
    }

    const passiveAuth = await stats.step('passive authentication', async () =>
      verifyPassive(sod, dgs, {
        trustStore: this.options.trustStore,
        ...(this.options.expiredDocumentSigner ? { expiredDocumentSigner: this.options.expiredDocumentSigner } : {}),
        ...(this.options.now ? { now: this.options.now() } : {}),
      }),
    );

    const { mrz, personal, face } = await stats.step('parse', async () => ({
      mrz: parseDg1(dgs.get(1)!),
      personal: parseDg13(dgs.get(13)!),
      face: dgs.has(2) ? parseDg2(dgs.get(2)!) : undefined,
    }));

    const consistent = mrz.personalNumber === undefined || personal.idNumber === undefined || mrz.personalNumber === personal.idNumber;
    const totals = stats.steps.reduce(
      (a, s) => ({
        apdus: a.apdus + s.apdus,
        bytesSent: a.bytesSent + s.bytesSent,
        bytesReceived: a.bytesReceived + s.bytesReceived,
        ms: a.ms,
      }),
      { apdus: 0, bytesSent: 0, bytesReceived: 0, ms: Math.round((performance.now() - t0) * 1000) / 1000 },
    );
    return CccdReadResultSchema.parse({
      accessMethod,
      mrz,
      personal,
      ...(face ? { face } : {}),
      dataGroupsRead: [...dgs.keys()],
      passiveAuth,
      ...(activeAuth ? { activeAuth } : {}),
      consistent,
      genuine: passiveAuth.genuine && (activeAuth ? activeAuth.passed : true) && consistent,
      steps: stats.steps,
      totals,
    });
  }
}
