// Public API of libs/cccd: read and verify the Vietnamese CCCD chip (ICAO 9303) and its front QR code.
export * from './errors.js';
export {
  CccdReader,
  AccessKeySchema,
  CccdReadResultSchema,
  type AccessKey,
  type CccdReadResult,
  type CccdReaderOptions,
} from './reader/cccd-reader.js';
export { CardSession, EMRTD_AID, type CardSessionOptions } from './reader/card-session.js';
export { StepStatsSchema, type StepStats } from './reader/apdu-stats.js';
export type { CardTransport } from './transport/transport.js';
export { InProcessTransport, type ApduProcessor } from './transport/in-process.js';
export { PcscMonitor, PcscCardTransport, probePcscd, pcscdSocketPath, type CardEvent } from './transport/pcsc.js';
export { performPace, choosePaceSuite, type PacePassword, type PaceSuite } from './access/pace.js';
export { performBac, bacKeys } from './access/bac.js';
export { SecureMessaging } from './sm/secure-messaging.js';
export { decodeTlv, decodeTlvList, tlv, type Tlv, type TlvLimits, DEFAULT_TLV_LIMITS } from './tlv/ber-tlv.js';
export { parseTd1, mrzInformation, checkDigit, MrzKeySchema, Td1Schema, type MrzKey, type Td1 } from './lds/mrz.js';
export { parseDg1 } from './lds/dg1.js';
export { parseDg2, FaceImageSchema, type FaceImage } from './lds/dg2-face.js';
export { parseDg13, Dg13Schema, type Dg13, type Dg13Field } from './lds/dg13-vn.js';
export { parseDg15 } from './lds/dg15.js';
export { parseEfCom, type EfCom } from './lds/ef-com.js';
export { parseSod, type Sod } from './lds/sod.js';
export { LDS_FILES } from './lds/lds-files.js';
export { verifyPassive, PassiveAuthResultSchema, type PassiveAuthResult, type PassiveAuthOptions } from './pa/passive-auth.js';
export { performActiveAuth, ActiveAuthResultSchema, type ActiveAuthResult } from './pa/active-auth.js';
export { CscaTrustStore } from './pa/trust-store.js';
export { parseCccdQr, accessFromQr, deriveExpiry, CccdQrSchema, type CccdQr, type QrAccess } from './qr/cccd-qr.js';
export { decodeQrFromImage, decodeQrFromRgba } from './qr/qr-decode.js';
