// Transport to a card object living in the same process (the emulator), for unit tests and demos.
import { CccdError } from '../errors.js';
import type { CardTransport } from './transport.js';

export interface ApduProcessor {
  process(apdu: Uint8Array): Uint8Array;
  readonly atr: Uint8Array;
}

export class InProcessTransport implements CardTransport {
  private closed = false;

  constructor(
    private readonly card: ApduProcessor,
    readonly supportsExtendedLength = true,
  ) {}

  get atr(): Uint8Array {
    return this.card.atr;
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    if (this.closed) throw new CccdError('TRANSPORT', 'transport closed');
    return this.card.process(apdu);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
