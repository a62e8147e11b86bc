import type { CccdQr } from '../../../../libs/cccd/src/index.js';

/** What the online check said about a VNeID QR. */
export type VneidCheck =
  | { status: 'verified'; idNumber: string; fullName: string; dateOfBirth: string; photo?: Uint8Array; reference?: string }
  /** The service answered: this identity is not confirmed. */
  | { status: 'refused'; reason: string }
  /** No usable answer (not reachable, TLS, timeout, bad response): nothing is known. */
  | { status: 'unavailable'; reason: string };

/**
 * The port the lane uses to confirm a VNeID QR online. Never throws: every failure is a
 * `refused` or `unavailable` check, and the lane sends both to an operator.
 */
export interface VneidVerifier {
  verify(qr: CccdQr, signal: AbortSignal): Promise<VneidCheck>;
}
