// The seam between protocol code and a physical (PC/SC) or in-process card.
export interface CardTransport {
  /** Sends one raw command APDU and returns the raw response (data + SW1 SW2). */
  transmit(apdu: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  /** Answer-to-reset of the present card, when known. */
  readonly atr?: Uint8Array;
  /** Whether the link can carry extended-length APDUs. */
  readonly supportsExtendedLength: boolean;
  close(): Promise<void>;
}
