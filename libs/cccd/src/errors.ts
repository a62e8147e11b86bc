// Typed errors: callers (the gate) branch on `code`, operators read `message`.

export type CccdErrorCode =
  | 'TLV_MALFORMED'
  | 'MRZ_INVALID'
  | 'DG_MALFORMED'
  | 'QR_INVALID'
  | 'ACCESS_DENIED' // wrong CAN / MRZ: the card refused the access key
  | 'SM_BAD_MAC' // the response MAC (or a token) did not verify
  | 'SM_MALFORMED'
  | 'CARD_STATUS' // the card answered with an error status word
  | 'PROTOCOL' // the card answered something a conforming card would not
  | 'TRANSPORT' // reader / link failure
  | 'TIMEOUT'
  | 'NO_CARD'
  | 'TRUST_STORE';

export class CccdError extends Error {
  constructor(
    readonly code: CccdErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CccdError';
  }
}

export class TlvError extends CccdError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super('TLV_MALFORMED', `${message} at offset ${offset}`);
    this.name = 'TlvError';
  }
}

/** A card error status word (anything but 9000, 61xx handled by the transport layer). */
export class CardStatusError extends CccdError {
  constructor(
    readonly sw: number,
    readonly command: string,
  ) {
    super('CARD_STATUS', `${command}: card returned SW ${sw.toString(16).padStart(4, '0').toUpperCase()} (${describeStatusWord(sw)})`);
    this.name = 'CardStatusError';
  }
}

export class AccessDeniedError extends CccdError {
  constructor(
    readonly method: 'PACE' | 'BAC',
    detail: string,
    readonly sw?: number,
  ) {
    super('ACCESS_DENIED', `${method} access denied: ${detail}`);
    this.name = 'AccessDeniedError';
  }
}

export class BadMacError extends CccdError {
  constructor(what: string) {
    super('SM_BAD_MAC', `${what}: MAC verification failed`);
    this.name = 'BadMacError';
  }
}

export function describeStatusWord(sw: number): string {
  const known: Record<number, string> = {
    0x9000: 'success',
    0x6282: 'end of file reached before Le bytes',
    0x6300: 'verification failed',
    0x6700: 'wrong length',
    0x6881: 'logical channel not supported',
    0x6882: 'secure messaging not supported',
    0x6982: 'security status not satisfied',
    0x6983: 'authentication method blocked',
    0x6984: 'reference data not usable',
    0x6985: 'conditions of use not satisfied',
    0x6986: 'command not allowed',
    0x6987: 'expected secure messaging data objects missing',
    0x6988: 'secure messaging data objects incorrect',
    0x6a80: 'incorrect data',
    0x6a82: 'file or application not found',
    0x6a86: 'incorrect P1/P2',
    0x6a88: 'referenced data not found',
    0x6b00: 'wrong parameters (offset outside the file)',
    0x6d00: 'instruction not supported',
    0x6e00: 'class not supported',
    0x6f00: 'no precise diagnosis',
  };
  if (known[sw]) return known[sw];
  if ((sw & 0xff00) === 0x6300 && (sw & 0xf0) === 0xc0) return `verification failed, ${sw & 0x0f} tries left`;
  if ((sw & 0xff00) === 0x6c00) return `wrong Le, exact length ${sw & 0xff}`;
  return 'unknown status';
}
